"""Card numbers and secrets are redacted before anything is stored: every format below, in every stored free-text
field (shopper messages, staff replies, CSAT comments), checked in the database itself."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from assistant.guard import redact
from assistant.runtime import Services
from assistant.storage import schema as t
from tests.assistant.helpers import Shopper
from tests.conftest import STAFF_TOKEN

CARD = "4111111111111111"  # passes Luhn
SECRET_FORMATS = [
    ("card with spaces", "my card is 4111 1111 1111 1111", "4111 1111"),
    ("card with dashes", "card 4111-1111-1111-1111 thanks", "4111-1111"),
    ("card with dots", "tarjeta 4111.1111.1111.1111", "4111.1111"),
    ("card with no-break spaces", "cartão 4111\u00a01111\u00a01111\u00a01111", "1111\u00a01111"),
    ("card with narrow no-break spaces", "Karte 4111\u202f1111\u202f1111\u202f1111", "1111\u202f1111"),
    ("card in one run", f"card {CARD}", CARD),
    ("card in full-width digits", "カード４１１１１１１１１１１１１１１１", "４１１１１１１１"),
    ("amex", "amex 3782 822463 10005", "822463"),
    ("password is", "my password is hunter2!", "hunter2"),
    ("password colon", "password: Tr0ub4dor&3", "Tr0ub4dor"),
    ("contraseña es", "mi contraseña es Gato123", "Gato123"),
    ("senha é", "minha senha é abacaxi77", "abacaxi77"),
    ("mot de passe", "mon mot de passe est soleil42", "soleil42"),
    ("Passwort lautet", "Mein Passwort lautet geheim99", "geheim99"),
    ("пароль", "пароль: qwerty123", "qwerty123"),
    ("密码是", "我的密码是abc12345", "abc12345"),
    ("パスワードは", "パスワードはneko2024です", "neko2024"),
    ("비밀번호는", "비밀번호는 sarang99 입니다", "sarang99"),
    ("cvv", "cvv 123", "cvv 123"),
    ("pin", "my PIN is 4321", "4321"),
    ("api key", "sk-live_abcdefghijklmnop1234", "abcdefghijklmnop"),
]
KEPT = [
    "order BR-100234 tracking LB123456789BR",
    "call me at +55 11 91234-5678",
    "I forgot my password",
    "password reset link did not arrive",
    "it cost 1.299,90 BRL",
]


@pytest.mark.parametrize(("name", "text", "secret"), SECRET_FORMATS, ids=[f[0] for f in SECRET_FORMATS])
def test_every_format_is_redacted(name: str, text: str, secret: str) -> None:
    clean, kinds = redact(text)
    assert secret not in clean and kinds, clean


@pytest.mark.parametrize("text", KEPT)
def test_ids_phones_and_plain_words_are_kept(text: str) -> None:
    assert redact(text) == (text, [])


def stored_text(services: Services) -> str:
    with services.engine.connect() as conn:
        texts = list(conn.scalars(select(t.messages.c.text)))
        texts += [c for c in conn.scalars(select(t.sessions.c.csat_comment)) if c]
        texts += [str(p) for p in conn.scalars(select(t.handoffs.c.packet))]
        texts += [str(p) for p in conn.scalars(select(t.events.c.payload))]
    return "\n".join(texts)


async def test_no_stored_field_keeps_a_secret(chat_services: Services, chat_client: httpx.AsyncClient) -> None:
    shopper = Shopper(chat_client)
    for _, text, _secret in SECRET_FORMATS[:10]:
        await shopper.say(text)
    await shopper.say("I want to talk to a person, my card 4111.1111.1111.1111 was charged twice")
    session = chat_services.conversations.get_session(shopper.session_id or "")
    assert session is not None and session.state.handoff_id
    staff = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    reply = await chat_client.post(f"/v1/handoffs/{session.state.handoff_id}/reply", headers=staff,
                                   json={"staff": "ana", "text": "Is your card 4111 1111 1111 1111? password: x1y2z3"})
    assert reply.status_code == 200
    comment = "they asked my senha: abacaxi77 and card 4111-1111-1111-1111"
    rated = await chat_client.post(f"/v1/sessions/{shopper.session_id}/csat", json={"score": 2, "comment": comment})
    assert rated.status_code == 200
    stored = stored_text(chat_services)
    for _, _text, secret in SECRET_FORMATS[:10]:
        assert secret not in stored
    for leaked in ("4111.1111", "4111 1111", "4111-1111", "x1y2z3", "abacaxi77"):
        assert leaked not in stored
    assert "[card number removed]" in stored and "[secret removed]" in stored
