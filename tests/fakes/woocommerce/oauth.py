"""OAuth 1.0a "one-legged" as WooCommerce checks it over plain HTTP, and a client-side signer.

Verification mirrors WC_REST_Authentication (includes/class-wc-rest-authentication.php):
- parameters come from $_GET, $_POST (form bodies of POST requests only) and an `Authorization: OAuth ...` header;
- all five of oauth_consumer_key, oauth_timestamp, oauth_nonce, oauth_signature, oauth_signature_method must be
  non-empty (PHP empty()) once any is present;
- the base string is METHOD & rawurlencode(site home URL + request path) & the sorted, doubly-encoded params,
  built from PHP's parsed arrays (so `a[]=1` signs as `a[0]=1`), keys sorted with strcmp;
- HMAC-SHA1 or HMAC-SHA256, key = consumer_secret + "&" (no token secret);
- the timestamp must be within 15 minutes of now, and the nonce unused; used nonces are kept per key,
  indexed by timestamp, and dropped once older than 15 minutes.

`sign_request` is written independently from RFC 5849 section 3.4 so tests of the fake do not check the
verifier against itself. For plain requests (unique keys, no `[]` arrays) both agree, as with a real store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from . import php
from .wp import WPError

REQUIRED = ("oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method")
VALID_WINDOW = 15 * 60
_HEADER_PARAM = re.compile(r'(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))')


def auth_error(message: str, code: str = "woocommerce_rest_authentication_error") -> WPError:
    return WPError(code, message, {"status": 401})


def parse_authorization_header(header: str) -> dict[str, str]:
    """WC_REST_Authentication::parse_header(): only a header starting exactly with 'OAuth ' counts."""
    header = header.strip()
    if not header.startswith("OAuth "):
        return {}
    params: dict[str, str] = {}
    for match in _HEADER_PARAM.finditer(header):
        quoted, bare = match.group(3), match.group(4)
        params[match.group(1)] = php.urldecode(quoted if quoted else (bare or ""))
    return params


def collect_params(get: php.PhpArray, post: php.PhpArray, header: str) -> dict[Any, Any] | None:
    """get_oauth_parameters(): None when no OAuth parameter is present at all; raises if some are missing."""
    params: dict[Any, Any] = {**get, **post, **parse_authorization_header(header)}
    missing = [name for name in REQUIRED if php.php_empty(params.get(name))]
    if len(missing) == len(REQUIRED):
        return None
    if missing:
        noun = "parameter" if len(missing) == 1 else "parameters"
        raise auth_error(
            f"Missing OAuth {noun} {', '.join(missing)}", "woocommerce_rest_authentication_missing_parameter"
        )
    return params


def _join_with_equals(params: Mapping[Any, Any], prefix: str = "") -> list[str]:
    # join_with_equals_sign(): nested keys become key%5Bsub%5D, then each "k=v" is encoded once more.
    pairs: list[str] = []
    for key, value in params.items():
        name = f"{prefix}%5B{key}%5D" if prefix else str(key)
        if isinstance(value, dict):
            pairs.extend(_join_with_equals(value, name))
        else:
            pairs.append(php.rawurlencode(f"{name}={value}"))
    return pairs


def _encode_values(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _encode_values(v) for k, v in value.items()}
    return php.rawurlencode(str(value))


def wc_base_string(method: str, base_uri: str, params: Mapping[Any, Any]) -> str:
    """The string WooCommerce signs, built the way check_oauth_signature() builds it."""
    ordered = sorted(((k, v) for k, v in params.items() if k != "oauth_signature"), key=lambda kv: str(kv[0]).encode())
    normalized = {php.rawurlencode(str(k)): _encode_values(v) for k, v in ordered}
    return f"{method.upper()}&{php.rawurlencode(base_uri)}&{'%26'.join(_join_with_equals(normalized))}"


def hmac_b64(algorithm: str, text: str, consumer_secret: str) -> str:
    digest = hashlib.sha1 if algorithm == "HMAC-SHA1" else hashlib.sha256
    key = (consumer_secret + "&").encode()
    return base64.b64encode(hmac.new(key, text.encode(), digest).digest()).decode()


def check_signature(method: str, base_uri: str, params: Mapping[Any, Any], consumer_secret: str) -> None:
    provided = php.rawurldecode(str(params["oauth_signature"]).replace(" ", "+"))
    base = wc_base_string(method, base_uri, params)
    algorithm = params.get("oauth_signature_method")
    if algorithm not in ("HMAC-SHA1", "HMAC-SHA256"):
        raise auth_error("Invalid signature - signature method is invalid.")
    if not hmac.compare_digest(hmac_b64(str(algorithm), base, consumer_secret), provided):
        raise auth_error("Invalid signature - provided signature does not match.")


class NonceLog:
    """The `nonces` column of woocommerce_api_keys: {timestamp: nonce}, one entry per timestamp."""

    def __init__(self) -> None:
        self.used: dict[Any, str] = {}

    def check(self, timestamp: Any, nonce: str, now: float) -> None:
        if not php.is_numeric(timestamp) or not now - VALID_WINDOW <= float(timestamp) <= now + VALID_WINDOW:
            raise auth_error("Invalid timestamp.")
        if nonce in self.used.values():
            raise auth_error("Invalid nonce - nonce has already been used.")
        # PHP keys the array by timestamp: a second nonce with the same timestamp replaces the first.
        self.used[php.absint(timestamp) if str(timestamp).isdigit() else timestamp] = nonce
        self.used = {
            ts: n for ts, n in self.used.items() if not (php.is_numeric(ts) and float(ts) < now - VALID_WINDOW)
        }


# --- Client side ---------------------------------------------------------------------------------------------


def _enc(text: str) -> str:
    return quote(text, safe="-._~")


def rfc5849_base_string(method: str, url: str, params: list[tuple[str, str]]) -> str:
    """RFC 5849 3.4.1: METHOD & enc(base URI) & enc(sorted "k=v" pairs joined by '&')."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    default_port = {"http": 80, "https": 443}.get(scheme)
    netloc = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
    base_uri = urlunsplit((scheme, netloc, parts.path or "/", "", ""))
    pairs = sorted((_enc(k), _enc(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    return "&".join((method.upper(), _enc(base_uri), _enc(normalized)))


def sign_request(
    method: str,
    url: str,
    consumer_key: str,
    consumer_secret: str,
    *,
    form: Mapping[str, str] | None = None,
    signature_method: str = "HMAC-SHA256",
    timestamp: int | None = None,
    nonce: str | None = None,
) -> str:
    """Return `url` with oauth_* query parameters that a WooCommerce store on plain HTTP accepts.

    Any oauth_* parameters already in `url` (e.g. copied from a Link header) are replaced. Pass `form` for a
    POST with an application/x-www-form-urlencoded body: those fields are signed too. JSON bodies are never
    signed. Each call uses a fresh nonce unless one is given.
    """
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("oauth_")]
    oauth = [
        ("oauth_consumer_key", consumer_key),
        ("oauth_nonce", nonce or secrets.token_hex(16)),
        ("oauth_signature_method", signature_method),
        ("oauth_timestamp", str(int(time.time()) if timestamp is None else timestamp)),
    ]
    signed = [*query, *oauth, *(list(form.items()) if form else [])]
    base = rfc5849_base_string(method, url, signed)
    digest = hashlib.sha1 if signature_method == "HMAC-SHA1" else hashlib.sha256
    key = _enc(consumer_secret) + "&"  # RFC 5849 3.4.2: enc(client secret) & enc(token secret = "")
    signature = base64.b64encode(hmac.new(key.encode(), base.encode(), digest).digest()).decode()
    new_query = urlencode([*query, *oauth, ("oauth_signature", signature)], quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, new_query, parts.fragment))
