"""Keep secrets and personal data out of server logs: access-log lines show paths, and paths carry session ids (a
session id lets anyone read that transcript) and label-link signatures; any log line may quote a shopper's email,
phone number or street address (an error message from a platform, a tool argument), so those are masked too."""

from __future__ import annotations

import logging
import re

_SECRETS = [
    (re.compile(r"\bses_[A-Za-z0-9_-]+"), "ses_…"),
    (re.compile(r"([?&](?:sig|session_id|token|customer_token)=)[^&\s\"]*"), r"\1…"),
]
_STREET = (r"street|st\.?|avenue|ave\.?|road|rd\.?|lane|boulevard|blvd|drive|dr\.?|way|calle|avenida|av\.?|rua|"
           r"travessa|rue|boulevard|chemin|straße|strasse|str\.?|weg|platz|gasse|via|viale|piazza|straat|laan|"
           r"ulica|ul\.|улица|ул\.|sokak|cadde(?:si)?|mahallesi|jalan|jl\.?|đường|soi|thanon|شارع")
_PERSONAL = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    # international or local phone numbers: 8+ digits with the usual separators
    (re.compile(r"(?<![\w/])\+?\(?\d(?:[\s().-]{0,2}\d){7,}(?![\w/])"), "[phone]"),
    # a house number next to a street word, in either order ("12 Baker Street", "Rua das Flores 120")
    (re.compile(rf"(?i)\b\d{{1,5}}[a-z]?,?\s+(?:[\w'.-]+\s+){{0,3}}(?:{_STREET})\b[^,;\n\"]*"), "[address]"),
    (re.compile(rf"(?i)\b(?:{_STREET})\s+(?:[\w'.-]+\s+){{0,4}}\d{{1,5}}[a-z]?\b"), "[address]"),
    (re.compile(r"(?i)\b\w+(?:straße|strasse|weg|gasse|platz|straat|laan|gatan|vej)\s+\d{1,5}[a-z]?\b"), "[address]"),
]
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}")


def redact_path(text: str) -> str:
    for pattern, repl in _SECRETS:
        text = pattern.sub(repl, text)
    return text


def redact_personal(text: str) -> str:
    for pattern, repl in _PERSONAL:
        text = pattern.sub(lambda m, r=repl: m.group(0) if _TIMESTAMP.match(m.group(0)) else r, text)  # type: ignore[misc]
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        return True


class RedactPersonal(logging.Filter):
    """On a handler: every record it writes, from any logger, has its message and arguments masked. The arguments
    stay a tuple of the same length (uvicorn's access formatter unpacks them); numbers stay numbers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_personal(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _masked(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_personal(record.exc_text)
            record.exc_info = None  # the masked text is what gets written
        return True


def _masked(value: object) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact_personal(redact_path(str(value)))


def install(logger_names: tuple[str, ...] = ("uvicorn.access", "uvicorn.error")) -> None:
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
    root = logging.getLogger()
    if not root.handlers:  # Portside's own loggers would reach stderr through logging.lastResort, unfiltered
        stderr: logging.Handler = logging.StreamHandler()
        stderr.setLevel(logging.WARNING)
        stderr.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        root.addHandler(stderr)
    for name in ("", "uvicorn", "uvicorn.access", "uvicorn.error"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactPersonal) for f in handler.filters):
                handler.addFilter(RedactPersonal())
