"""Keep encryption keys out of log lines, whatever the log level.

traitlets logs an application's whole configuration at debug level ("Config changed: ..."),
``S3ConnectorsApp.encryption_keys`` included. A log record factory, installed when this
package is imported, rewrites any record that mentions ``encryption_keys`` with every
Fernet-key-shaped token replaced, and any record holding a registered secret. It covers
every logger and handler of the process from that moment on.

The server's own configuration may be logged before extensions are imported: keys given as
``env:NAME`` or ``file:PATH`` (see :mod:`.crypto`) never appear in the configuration at all.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

REDACTED = "<redacted>"

#: A Fernet key: 32 bytes, url-safe base64 (43 characters and '=').
_FERNET_KEY_RE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=")
_MARKER = "encryption_keys"

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def register_secret(value: str) -> None:
    """Never let ``value`` appear in a log line of this process."""
    if len(value) >= 8:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    if _MARKER in text:
        text = _FERNET_KEY_RE.sub(REDACTED, text)
    for secret in tuple(_secrets):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _needs_look(record: logging.LogRecord) -> bool:
    if _secrets:
        return True
    if isinstance(record.msg, str) and _MARKER in record.msg:
        return True
    # "Config changed: %r" and "Config at the time: %s" pass the config as an argument.
    args = record.args if isinstance(record.args, tuple) else (record.args,)
    return any(isinstance(arg, dict) for arg in args)


def _clean(record: logging.LogRecord) -> None:
    if not _needs_look(record):
        return
    try:
        message = record.getMessage()
    except Exception:  # a malformed record is logging's to report, not ours
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg = cleaned
        record.args = None


def install() -> None:
    """Wrap the process's log record factory (once)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
        previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _clean(record)
        return record

    logging.setLogRecordFactory(factory)
