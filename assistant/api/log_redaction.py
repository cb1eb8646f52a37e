"""Keep secrets out of server logs: access-log lines show paths, and paths carry session ids (a session id lets
anyone read that transcript) and label-link signatures."""

from __future__ import annotations

import logging
import re

_SECRETS = [
    (re.compile(r"\bses_[A-Za-z0-9_-]+"), "ses_…"),
    (re.compile(r"([?&](?:sig|session_id|token|customer_token)=)[^&\s\"]*"), r"\1…"),
]


def redact_path(text: str) -> str:
    for pattern, repl in _SECRETS:
        text = pattern.sub(repl, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        return True


def install(logger_names: tuple[str, ...] = ("uvicorn.access", "uvicorn.error")) -> None:
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
