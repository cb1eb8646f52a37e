"""The parts of the WordPress REST server that WooCommerce endpoints inherit: errors, arguments, validation.

Messages and codes follow wp-includes/rest-api.php and class-wp-rest-request.php so a client sees the same
`rest_invalid_param` / `rest_missing_callback_param` bodies a real store sends.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import php

ALLOWED_TYPES = ("array", "object", "string", "number", "integer", "boolean", "null")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}(?::\d{2})?)?$")


class WPError(Exception):
    """A WP_Error turned into a response. `data` may be a dict with 'status' or, as WooCommerce sometimes
    passes by mistake, a bare int: WordPress then answers HTTP 500 and echoes the int as `data`."""

    def __init__(self, code: str, message: str, data: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data
        self.headers = headers or {}

    @property
    def status(self) -> int:
        # rest_convert_error_to_response(): only an array with 'status' sets the HTTP status.
        if isinstance(self.data, dict) and "status" in self.data:
            return int(self.data["status"])
        return 500

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": self.data}


def no_route() -> WPError:
    return WPError("rest_no_route", "No route was found matching the URL and request method.", {"status": 404})


@dataclass
class Request:
    """A REST request with WordPress's parameter precedence: JSON > body > query > URL > defaults."""

    method: str
    path: str  # raw URL path, e.g. /wp-json/wc/v3/orders/12
    route: str  # e.g. /wc/v3/orders/12
    query: php.PhpArray
    form: php.PhpArray
    json_body: Any
    json_error: bool
    headers: dict[str, str]
    url_params: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    sanitized: dict[str, Any] = field(default_factory=dict)

    def _sources(self) -> list[dict[Any, Any]]:
        sources: list[dict[Any, Any]] = []
        if isinstance(self.json_body, dict):
            sources.append(self.json_body)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            sources.append(self.form)
        return [*sources, self.query, self.url_params, self.defaults]

    def has(self, key: str) -> bool:
        return any(key in source for source in self._sources())

    def raw(self, key: str) -> Any:
        for source in self._sources():
            if key in source:
                return source[key]
        return None

    def get(self, key: str) -> Any:
        """The sanitized value when the route declared the argument, else the raw one."""
        if key in self.sanitized:
            return self.sanitized[key]
        return self.raw(key)

    def body_for_record(self) -> Any:
        return self.json_body if self.json_body is not None else (self.form or None)


# --- JSON-schema validation, as rest_validate_value_from_schema() -------------------------------------------


def _invalid_type(param: str, type_name: str) -> WPError:
    return WPError("rest_invalid_type", f"{param} is not of type {type_name}.", {"param": param})


def is_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, str):
        return value.lower() in ("false", "true", "0", "1")
    return isinstance(value, int) and value in (0, 1)


def is_integer(value: Any) -> bool:
    return php.is_numeric(value) and float(value) == round(float(value))


def is_array(value: Any) -> bool:
    if isinstance(value, str | int | float | bool):
        value = php.wp_parse_list(value)
    return php.is_numeric_array(value)


def is_object(value: Any) -> bool:
    return value == "" or isinstance(value, dict | list)


def _best_type(value: Any, types: list[str]) -> str:
    if value == "" and "string" in types:
        return "string"
    checks = {
        "array": is_array,
        "object": is_object,
        "integer": is_integer,
        "number": php.is_numeric,
        "boolean": is_boolean,
        "string": lambda v: isinstance(v, str),
        "null": lambda v: v is None,
    }
    return next((t for t in types if t in checks and checks[t](value)), "")


def parse_date(value: Any) -> datetime | None:
    """rest_parse_date(): ISO 8601 with a time part; a bare date is rejected."""
    if not isinstance(value, str) or not _DATE_RE.match(value):
        return None
    text = value.replace("t", "T").replace(" ", "T").replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def validate(value: Any, schema: dict[str, Any], param: str) -> WPError | None:
    type_ = schema.get("type")
    if isinstance(type_, list):
        best = _best_type(value, type_)
        if not best:
            return _invalid_type(param, ",".join(type_))
        type_ = best
    error = _validate_type(value, type_, schema, param)
    if error is None and schema.get("enum"):
        error = _validate_enum(value, schema, param)
    if error is None and schema.get("format") and (type_ == "string" or type_ not in ALLOWED_TYPES):
        error = _validate_format(value, schema["format"], param)
    return error


def _validate_type(value: Any, type_: Any, schema: dict[str, Any], param: str) -> WPError | None:
    if type_ == "null":
        return None if value is None else _invalid_type(param, "null")
    if type_ == "boolean":
        return None if is_boolean(value) else _invalid_type(param, "boolean")
    if type_ == "object":
        return _validate_object(value, schema, param)
    if type_ == "array":
        return _validate_array(value, schema, param)
    if type_ in ("number", "integer"):
        error = _validate_number(value, schema, param, type_)
        if error is None and type_ == "integer" and not is_integer(value):
            error = _invalid_type(param, "integer")
        return error
    if type_ == "string":
        return None if isinstance(value, str) else _invalid_type(param, "string")
    return None


def _validate_object(value: Any, schema: dict[str, Any], param: str) -> WPError | None:
    if not is_object(value):
        return _invalid_type(param, "object")
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        sub = schema.get("properties", {}).get(key)
        if sub is not None:
            error = validate(item, sub, f"{param}[{key}]")
            if error is not None:
                return error
    return None


def _validate_array(value: Any, schema: dict[str, Any], param: str) -> WPError | None:
    if not is_array(value):
        return _invalid_type(param, "array")
    if "items" in schema:
        for index, item in enumerate(php.wp_parse_list(value)):
            error = validate(item, schema["items"], f"{param}[{index}]")
            if error is not None:
                return error
    return None


def _validate_number(value: Any, schema: dict[str, Any], param: str, type_: str) -> WPError | None:
    if not php.is_numeric(value):
        return _invalid_type(param, type_)
    number, low, high = float(value), schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None and not low <= number <= high:
        return WPError("rest_out_of_bounds", f"{param} must be between {low} (inclusive) and {high} (inclusive)")
    if low is not None and high is None and number < low:
        return WPError("rest_out_of_bounds", f"{param} must be greater than or equal to {low}")
    if high is not None and low is None and number > high:
        return WPError("rest_out_of_bounds", f"{param} must be less than or equal to {high}")
    return None


def _validate_enum(value: Any, schema: dict[str, Any], param: str) -> WPError | None:
    candidate = sanitize(value, schema)
    if candidate in schema["enum"]:
        return None
    names = [str(v) for v in schema["enum"]]
    if len(names) == 1:
        return WPError("rest_not_in_enum", f"{param} is not {names[0]}.")
    return WPError("rest_not_in_enum", f"{param} is not one of {php.wp_sprintf_l(names)}.")


def _validate_format(value: Any, format_: str, param: str) -> WPError | None:
    if format_ == "date-time" and parse_date(value) is None:
        return WPError("rest_invalid_date", "Invalid date.")
    if format_ == "email" and not php.is_email(str(value)):
        return WPError("rest_invalid_email", "Invalid email address.")
    return None


def sanitize(value: Any, schema: dict[str, Any]) -> Any:
    """rest_sanitize_value_from_schema() for the types the fake's routes declare."""
    type_ = schema.get("type")
    if isinstance(type_, list):
        type_ = _best_type(value, type_) or None
    if type_ == "array":
        items = php.wp_parse_list(value) if not isinstance(value, list) else value
        return [sanitize(v, schema["items"]) if "items" in schema else v for v in items]
    if type_ == "integer":
        return int(float(value)) if php.is_numeric(value) else 0
    if type_ == "number":
        return float(value) if php.is_numeric(value) else 0.0
    if type_ == "boolean":
        return not (isinstance(value, str) and value.lower() in ("false", "0")) and bool(value)
    if type_ == "string":
        return value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict | list) else str(value)
    return value


# --- Argument checking, as WP_REST_Request::has_valid_params() and sanitize_params() ---------------------------


def check_args(request: Request, args: dict[str, dict[str, Any]]) -> None:
    """Apply defaults, reject missing/invalid arguments, then sanitize the declared ones."""
    if request.json_error:
        raise WPError(
            "rest_invalid_json",
            "Invalid JSON body passed.",
            {"status": 400, "json_error_code": 4, "json_error_message": "Syntax error"},
        )
    request.defaults = {name: arg["default"] for name, arg in args.items() if "default" in arg}
    missing = [name for name, arg in args.items() if arg.get("required") and request.raw(name) is None]
    if missing:
        raise WPError(
            "rest_missing_callback_param",
            f"Missing parameter(s): {', '.join(missing)}",
            {"status": 400, "params": missing},
        )
    invalid: dict[str, str] = {}
    details: dict[str, Any] = {}
    for name, arg in args.items():
        value = request.raw(name)
        if value is None or arg.get("validate") is False:
            continue
        error = validate(value, arg, name)
        if error is not None:
            invalid[name] = error.message
            details[name] = error.body()
    if invalid:
        raise WPError(
            "rest_invalid_param",
            f"Invalid parameter(s): {', '.join(invalid)}",
            {"status": 400, "params": invalid, "details": details},
        )
    for name, arg in args.items():
        value = request.raw(name)
        if value is not None:
            request.sanitized[name] = arg["sanitize"](value) if "sanitize" in arg else sanitize(value, arg)


def filter_fields(data: Any, fields_param: Any) -> Any:
    """The global `_fields` query argument (rest_filter_response_fields), nested paths like billing.email."""
    wanted = [f for f in php.wp_parse_list(fields_param) if f]
    if not wanted:
        return data
    if isinstance(data, list):
        return [filter_fields(item, fields_param) for item in data]
    if not isinstance(data, dict):
        return data
    result: dict[str, Any] = {}
    for path in wanted:
        _copy_path(data, result, path.split("."))
    return result


def _copy_path(source: dict[str, Any], target: dict[str, Any], parts: list[str]) -> None:
    head = parts[0]
    if head not in source:
        return
    if len(parts) == 1 or not isinstance(source[head], dict):
        target[head] = source[head]
        return
    child = target.setdefault(head, {})
    if isinstance(child, dict):
        _copy_path(source[head], child, parts[1:])
