"""Logging: the ``alleviate_debtcore`` logger tree, silent unless configured.

Children per concern: ``alleviate_debtcore.transport`` (each attempt, retries at INFO) and
``alleviate_debtcore.auth`` (token requests). Records carry service, operation, status, attempt,
duration and request ids; never bodies, variables, tokens, secrets or headers.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Final

__all__ = ["LOGGER_NAME", "configure_logging_from_env", "redact_headers"]

LOGGER_NAME = "alleviate_debtcore"
ENV_LOG = "ALLEVIATE_LOG"
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}

# Headers whose values may be logged; every other header shows as REDACTED.
HEADER_ALLOW_LIST: Final = frozenset(
    {
        "content-type",
        "content-length",
        "date",
        "retry-after",
        "retry-after-ms",
        "x-request-id",
        "request-id",
        "x-ms-request-id",
        "x-client-request-id",
        "www-authenticate",
    }
)

logging.getLogger(LOGGER_NAME).addHandler(logging.NullHandler())


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers for a log line: allow-listed values, every other value ``REDACTED``."""
    return {
        name.lower(): value if name.lower() in HEADER_ALLOW_LIST else "REDACTED"
        for name, value in headers.items()
    }


def configure_logging_from_env() -> None:
    """``ALLEVIATE_LOG=info|debug`` sends the package's records to stderr."""
    level = _LEVELS.get(os.environ.get(ENV_LOG, "").strip().lower())
    if level is None:
        return
    logger = logging.getLogger(LOGGER_NAME)
    if not any(getattr(h, "_alleviate_debtcore", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._alleviate_debtcore = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)
