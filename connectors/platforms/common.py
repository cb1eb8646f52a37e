"""Small pieces every platform connector shares."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter


class GatewayRule(BaseModel):
    match: str
    method: str
    whole: bool = False  # the whole gateway name (or one of its words), not a substring


@cache
def _rules() -> list[GatewayRule]:
    text = resources.files("connectors.platforms").joinpath("payment_methods.yaml").read_text(encoding="utf-8")
    return TypeAdapter(list[GatewayRule]).validate_python(yaml.safe_load(text))


def payment_method(gateways: Sequence[str]) -> str:
    """The policy's name for how an order was paid, from the gateway names a platform reports."""
    for gateway in gateways:
        name = gateway.strip().lower()
        words = set(re.split(r"[^a-z0-9]+", name))
        for rule in _rules():
            if (rule.match in words or name == rule.match) if rule.whole else rule.match in name:
                return rule.method
    first = gateways[0].strip().lower() if gateways else ""
    return re.sub(r"[^a-z0-9]+", "_", first).strip("_")[:64] or "unknown"


def signed_delivery(body: bytes, headers: dict[str, str], *, secret: str, setting: str, signature: str,
                    topic: str, delivery_id: str) -> tuple[str, str, dict[str, Any]]:
    """Check a webhook signed with base64(HMAC-SHA256(raw body, secret)) in header `signature` (constant time),
    then return its topic, delivery id and JSON object body. Raises BadSignature or InvalidWebhook."""
    from connectors.platforms.base import BadSignature, InvalidWebhook

    if not secret:
        raise BadSignature(f"{setting} is not set")
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    if not hmac.compare_digest(expected.encode(), headers.get(signature.lower(), "").encode()):
        raise BadSignature(f"{signature} does not match the body")
    topic_value, delivery = headers.get(topic.lower(), ""), headers.get(delivery_id.lower(), "")
    if not topic_value or not delivery:
        raise InvalidWebhook(f"{topic} and {delivery_id} are required")
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise InvalidWebhook(f"body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise InvalidWebhook("body is not a JSON object")
    return topic_value, delivery, payload
