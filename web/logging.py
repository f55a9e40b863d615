"""Application logs hold no personal data or secrets (verification S14).

Our own log calls name ids, never pupils, e-mail addresses, passwords, codes or cookies. This
module is the safety net behind that rule: every log record is redacted when it is created, so
every handler (ours, gunicorn's, a test's) gets the cleaned text. It removes what a pattern can
recognise: e-mail addresses, long tokens and keys, ``password=…``-style values, query strings
(search terms can be pupil names) and SQL parameters. Names and birth dates have no pattern:
for those only the rule itself helps.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from flask import Flask

REDACTED = "[weggelaten]"
UNREDACTABLE = "[logregel weggelaten: kon niet worden opgeschoond]"
_TRACEBACKS = logging.Formatter()

# (pattern, replacement), applied in this order.
RULES: list[tuple[re.Pattern[str], str]] = [
    # e-mail addresses
    (re.compile(r"[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"), "[e-mail]"),
    (re.compile(r"(?i)\b(bearer|basic)\s+\S+"), rf"\1 {REDACTED}"),
    # password=…, "token": "…", Cookie: …, code=123456 (not "code = …": that is a source line in a traceback)
    (
        re.compile(
            r"(?i)\b(password|wachtwoord|passwd|secret|token|csrf_token|totp|code|verificatiecode"
            r"|api[_-]?key|authorization|cookie|session|sid)(['\"]?(?::\s*|=)['\"]?)([^\s'\",&;)}\]]+)"
        ),
        rf"\1\2{REDACTED}",
    ),
    # query strings of logged URLs: /hulpvragen?q=<a pupil's name>
    (re.compile(r"(/[\w./%~-]*)\?[^\s\"'<>]+"), rf"\1?{REDACTED}"),
    # an LVS verificatiecode: BRIN + vestiging, then at least 14 more characters
    (re.compile(r"\b\d{2}[A-Z]{2}\d{2}[^\s'\",;]{14,}"), REDACTED),
    # random tokens: 20+ characters mixing lower case, upper case and digits (session ids, cookies)
    (re.compile(r"(?<![\w-])(?=[\w-]*[a-z])(?=[\w-]*[A-Z])(?=[\w-]*\d)[\w-]{20,}"), REDACTED),
    # hex keys and base32 secrets (TOTP)
    (re.compile(r"\b[0-9a-fA-F]{32,}\b"), REDACTED),
    (re.compile(r"\b(?=[A-Z2-7]*[2-7])[A-Z2-7]{16,}=*(?![\w-])"), REDACTED),
    # values in database errors: SQLAlchemy's "[parameters: …]" and PostgreSQL's "DETAIL: Key (…)=(…)"
    (re.compile(r"(?m)^\[parameters: .*$"), f"[parameters: {REDACTED}]"),
    (re.compile(r"(?m)^DETAIL: .*$"), f"DETAIL: {REDACTED}"),
]


def redact(text: str) -> str:
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record in place so its message, exception text and stack hold nothing sensitive."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (record.name or "").startswith("sqlalchemy.engine"):
            _hide_sql_parameters(record)
        try:
            message = record.getMessage()
        except Exception:  # a broken log call: the handler reports it as usual
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _hide_sql_parameters(record: logging.LogRecord) -> None:
    """SQLAlchemy's echo logs the bound values (names, birth dates) as a ``%r`` argument."""
    if isinstance(record.args, tuple) and record.args:
        record.msg = str(record.msg).replace("%r", "%s")
        record.args = tuple(a if isinstance(a, str | int | float) else f"[parameters {REDACTED}]" for a in record.args)


_FILTER = RedactingFilter()


def _install_record_factory() -> None:
    """Redact at creation: a filter on our handlers would miss handlers added later."""
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    if getattr(previous, "kansrijk_redacting", False):
        return  # create_app runs more than once in one process (tests)

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            _FILTER.filter(record)
        except Exception:  # a log call must never break a request; drop the text rather than leak it
            record.msg, record.args, record.exc_info, record.exc_text = UNREDACTABLE, None, None, None
        return record

    factory.kansrijk_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def init_logging(app: Flask) -> None:
    """Install the redaction for every logger of the process."""
    _install_record_factory()
