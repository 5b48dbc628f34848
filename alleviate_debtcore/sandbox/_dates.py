"""Date formats the sandbox reads and writes (reference.md section 8)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SLASH_DATE = re.compile(r"^(\d{4})/(\d{2})/(\d{2})$")
_US_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def timestamp(moment: datetime) -> str:
    """The ``Date`` wire format the docs show: ``2025-01-15T10:30:00.000Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_timestamp(text: str) -> datetime | None:
    """An ISO-8601 date-time with optional offset (``Z`` allowed); naive means UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _build(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_iso_date(text: str) -> date | None:
    """Strict ``YYYY-MM-DD`` (birth dates, reportRequestedAt)."""
    match = _ISO_DATE.match(text.strip())
    return _build(*match.groups()) if match else None


def parse_payment_date(text: str, *, us_format: bool = False) -> date | None:
    """``YYYY-MM-DD`` or ``YYYY/MM/DD``; with ``us_format`` also ``MM/DD/YYYY`` (PlanInputV2)."""
    text = text.strip()
    for pattern in (_ISO_DATE, _SLASH_DATE):
        match = pattern.match(text)
        if match:
            return _build(*match.groups())
    match = _US_DATE.match(text) if us_format else None
    if match:
        month, day, year = match.groups()
        return _build(year, month, day)
    return None


def slash_date(day: date) -> str:
    """Offer dates are written ``YYYY/MM/DD``, as in the docs examples."""
    return day.strftime("%Y/%m/%d")
