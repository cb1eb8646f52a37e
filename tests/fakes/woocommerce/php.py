"""Small re-implementations of the PHP and WordPress functions whose exact behaviour WooCommerce leans on.

The fake must parse, compare and encode the way a PHP WordPress site does, or it would accept requests a real
store rejects (and the other way round). Each helper names the PHP function it stands for.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

# A PHP array decoded from a query string: integer keys for `a[]=`/`a[0]=`, string keys otherwise.
PhpArray = dict[Any, Any]

_NUMERIC = re.compile(r"^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$")


def rawurlencode(value: str) -> str:
    """PHP rawurlencode(): RFC 3986, only A-Z a-z 0-9 - _ . ~ left alone."""
    return quote(value, safe="~")


def urlencode(value: str) -> str:
    """PHP urlencode(): like rawurlencode but space becomes '+' and '~' is encoded."""
    return quote_plus(value, safe="").replace("~", "%7E")


def rawurldecode(value: str) -> str:
    return unquote(value)


def urldecode(value: str) -> str:
    return unquote_plus(value)


def is_numeric(value: Any) -> bool:
    """PHP 8 is_numeric(): ints, floats and numeric strings (leading/trailing whitespace allowed)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return True
    return isinstance(value, str) and bool(_NUMERIC.match(value))


def php_empty(value: Any) -> bool:
    """PHP empty(): '', '0', 0, [], null and false are all empty."""
    return value in (None, False, 0, "", "0") or (isinstance(value, dict | list) and not value)


def _int_key(key: str) -> Any:
    # PHP turns decimal-integer-looking array keys into ints ("7" -> 7, but not "07").
    return int(key) if re.fullmatch(r"-?(0|[1-9]\d*)", key) else key


def parse_str(query: str) -> PhpArray:
    """PHP parse_str() as used to build $_GET/$_POST: brackets make arrays, last duplicate wins."""
    result: PhpArray = {}
    for pair in query.split("&"):
        if not pair:
            continue
        raw_key, _, raw_value = pair.partition("=")
        key, value = urldecode(raw_key), urldecode(raw_value)
        _php_assign(result, key, value)
    return result


def _php_assign(target: PhpArray, key: str, value: str) -> None:
    bracket = key.find("[")
    base = key if bracket <= 0 else key[:bracket]
    # PHP rewrites spaces and dots in the top-level name to underscores.
    base = base.replace(" ", "_").replace(".", "_")
    if not base:
        return
    subkeys = re.findall(r"\[([^\]]*)\]", key[bracket:]) if bracket > 0 else []
    if bracket > 0 and not subkeys:
        base = key.replace(" ", "_").replace(".", "_").replace("[", "_")
    node, name = target, _int_key(base)
    for sub in subkeys:
        child = node.get(name)
        if not isinstance(child, dict):
            child = {}
            node[name] = child
        node = child
        if sub == "":
            ints = [k for k in node if isinstance(k, int)]
            name = max(ints) + 1 if ints else 0
        else:
            name = _int_key(sub)
    node[name] = value


def is_numeric_array(value: Any) -> bool:
    """WordPress wp_is_numeric_array(): a PHP array whose keys are all integers."""
    if isinstance(value, list):
        return True
    if not isinstance(value, dict):
        return False
    return all(isinstance(k, int) or (isinstance(k, str) and re.fullmatch(r"-?\d+", k)) for k in value)


def wp_parse_list(value: Any) -> list[Any]:
    """WordPress wp_parse_list(): a comma/space separated string or an array becomes a list."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return [part for part in re.split(r"[\s,]+", str(value).strip()) if part]


def wp_parse_id_list(value: Any) -> list[int]:
    seen: list[int] = []
    for item in wp_parse_list(value):
        number = absint(item)
        if number not in seen:
            seen.append(number)
    return seen


def absint(value: Any) -> int:
    """WordPress absint(): abs(intval()); intval() of a non-numeric string is 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return abs(int(value))
    match = re.match(r"\s*[+-]?\d+", str(value))
    return abs(int(match.group())) if match else 0


def wp_sprintf_l(items: list[str]) -> str:
    """WordPress `%l` list formatting: 'a and b', 'a, b, and c'."""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ", and " + items[-1]


def is_email(email: str) -> bool:
    """WordPress is_email(), step by step."""
    if len(email) < 6 or email.find("@", 1) == -1:
        return False
    local, domain = email.split("@", 1)
    if not re.fullmatch(r"[a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]+", local):
        return False
    if re.search(r"\.{2,}", domain) or domain.strip(" \t\n\r\0\x0b.") != domain:
        return False
    subs = domain.split(".")
    if len(subs) < 2:
        return False
    return all(sub.strip(" \t\n\r\0\x0b-") == sub and re.fullmatch(r"[a-z0-9-]+", sub, re.I) for sub in subs)


def json_encode(data: Any) -> bytes:
    """wp_json_encode() with default flags: '/' escaped as '\\/', non-ASCII as \\uXXXX, no spaces."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def to_decimal(value: Any) -> Decimal | None:
    """A money amount as PHP would read it numerically, or None for a non-numeric value."""
    if not is_numeric(value):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def wc_format_decimal(value: Any, dp: int = 2) -> str:
    """wc_format_decimal() with a fixed number of decimals, as the REST API prints money."""
    amount = to_decimal(value) or Decimal(0)
    return str(amount.quantize(Decimal(1).scaleb(-dp), rounding=ROUND_HALF_UP)) if dp > 0 else str(round(amount))


def php_num_to_str(value: Decimal) -> str:
    """How PHP prints a float in a string comparison: 50.0 -> '50', 12.5 -> '12.5'."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def php_greater(left: Any, right: Decimal) -> bool:
    """PHP 8 `$left > $number`: numeric compare for numeric strings, else compare as strings."""
    number = to_decimal(left)
    if number is not None:
        return number > right
    return str(left if left is not None else "") > php_num_to_str(right)


def php_less(left: Any, right: Decimal) -> bool:
    """PHP 8 `$left < $number` (`0 > $amount` is `$amount < 0`)."""
    number = to_decimal(left)
    if number is not None:
        return number < right
    if left is None:  # null < 0 is false in PHP (null compares as false/0).
        return False
    return str(left) < php_num_to_str(right)


def sanitize_title(text: str) -> str:
    """Roughly WordPress sanitize_title(): lower-case, spaces to dashes, drop anything else odd."""
    slug = re.sub(r"[^a-z0-9 _.-]", "", text.strip().lower())
    return re.sub(r"[\s.]+", "-", slug).strip("-")


def specialchars_decode(text: str) -> str:
    """wp_specialchars_decode(ENT_QUOTES) for the entities WordPress stores in option values."""
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#039;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text
