"""Input format checks shared by the services; failures become ``VALIDATION_ERROR`` payloads.

Messages name the field and the expected format, never the value (it may be an SSN).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._dates import parse_iso_date
from ._payload_envelope import VALIDATION_ERROR, BusinessError

_SSN = re.compile(r"^\d{9}$")
_STATE = re.compile(r"^[A-Z]{2}$")
_ZIP = re.compile(r"^\d{5}(-?\d{4})?$")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_LOOSE_PHONE = re.compile(r"^(\+?1)?\d{10}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def invalid(field: str, expected: str) -> BusinessError:
    return BusinessError(VALIDATION_ERROR, f"{field} must be {expected}")


def require_fields(data: Mapping[str, Any], names: tuple[str, ...], context: str) -> None:
    missing = [name for name in names if not data.get(name)]
    if missing:
        raise BusinessError(VALIDATION_ERROR, f"{', '.join(missing)} required {context}")


def check_ssn(value: str | None, field: str = "ssn") -> None:
    if value is not None and not _SSN.match(value):
        raise invalid(field, "9 digits without dashes")


def check_birth_date(value: str | None, field: str = "dob") -> None:
    if value is not None and parse_iso_date(value) is None:
        raise invalid(field, "a date in YYYY-MM-DD form")


def check_state(value: str | None, field: str = "state") -> None:
    if value is not None and not _STATE.match(value):
        raise invalid(field, "a two-letter upper-case state code")


def check_zip(value: str | None, field: str = "zip") -> None:
    if value is not None and not _ZIP.match(value):
        raise invalid(field, "a 5- or 9-digit ZIP code")


def check_e164(value: str, field: str = "phoneNumber") -> None:
    if not _E164.match(value):
        raise invalid(field, "an E.164 phone number such as +12135551234")


def check_phone(value: str, field: str = "phone") -> None:
    """10 or 11 digits, or E.164 (the minimal live transfer's rule)."""
    if not (_LOOSE_PHONE.match(value) or _E164.match(value)):
        raise invalid(field, "10 or 11 digits or an E.164 number")


def check_email(value: str, field: str = "email") -> None:
    if not _EMAIL.match(value):
        raise invalid(field, "an e-mail address")


def check_identity(data: Mapping[str, Any]) -> None:
    """The usual consumer fields, where present."""
    check_ssn(data.get("ssn"))
    check_birth_date(data.get("dob"))
    check_state(data.get("state"))
    check_zip(data.get("zip"))
