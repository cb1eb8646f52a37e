"""The services the suite starts are real: PostgreSQL answers SQL, Redis keeps a key, Chroma stores and finds."""

from __future__ import annotations

import chromadb
import redis
from sqlalchemy import text

from connectors.sql.engine import make_engine


def test_postgres_answers(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    with engine.connect() as conn:
        assert "PostgreSQL" in conn.scalar(text("SELECT version()"))
    engine.dispose()


def test_redis_keeps_a_key(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    client.set("portside:probe", "1")
    assert client.get("portside:probe") == b"1"


def test_chroma_server_stores_and_finds(chroma_server_url: str) -> None:
    host, port = chroma_server_url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port))
    collection = client.get_or_create_collection("probe")
    collection.add(ids=["a", "b"], embeddings=[[1.0, 0.0], [0.0, 1.0]], documents=["east", "north"])
    found = collection.query(query_embeddings=[[0.9, 0.1]], n_results=1)
    assert found["documents"] == [["east"]]
