"""Python types for the schemas' custom scalars (mapped in pyproject's codegen section).

``Date``: the docs show ISO date-times (``2025-01-15T10:30:00.000Z``), the TypeScript SDK types it
as a number, and one input (``nawSignedDate``) is documented as ``YYYY-MM-DD``. We decode all of
them: an ISO date gives a ``date``; an ISO date-time gives an aware ``datetime``; a number (or a
string of digits) is a Unix epoch, read as milliseconds when its magnitude is at least 1e11 (the
JavaScript convention; 1e11 seconds is the year 5138) and as seconds otherwise. We encode a
``date`` as ``YYYY-MM-DD`` and a ``datetime`` as ISO 8601 with a ``Z`` suffix for UTC.

``JSON``: any JSON value, typed as pydantic's recursive ``JsonValue``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Final, TypeAlias, get_args, get_origin

from pydantic import BeforeValidator, GetCoreSchemaHandler, JsonValue, PlainSerializer
from pydantic_core import core_schema

__all__ = ["DateValue", "JSONValue", "as_list", "parse_date", "serialize_date"]

_EPOCH_MS_THRESHOLD = 1e11
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGITS = re.compile(r"-?\d+(\.\d+)?")


def _from_epoch(number: float) -> datetime:
    seconds = number / 1000 if abs(number) >= _EPOCH_MS_THRESHOLD else number
    return datetime.fromtimestamp(seconds, tz=UTC)


def parse_date(value: object) -> date | datetime:
    """Decode a ``Date`` scalar value as the server sends it (see the module docstring)."""
    if isinstance(value, date):  # datetime included
        return value
    if isinstance(value, bool):
        raise ValueError("a Date cannot be a boolean")
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if isinstance(value, str):
        text = value.strip()
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
        if _DIGITS.fullmatch(text):
            return _from_epoch(float(text))
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("a Date must be an ISO 8601 date or date-time, or an epoch") from None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    raise ValueError("a Date must be a string or a number")


def serialize_date(value: date | datetime) -> str:
    """Encode a ``Date`` scalar value for a request."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        text = value.astimezone(UTC).isoformat(timespec="milliseconds")
        return text.removesuffix("+00:00") + "Z"
    return value.isoformat()


DateValue: TypeAlias = Annotated[
    datetime | date, BeforeValidator(parse_date), PlainSerializer(serialize_date, return_type=str)
]
JSONValue: TypeAlias = JsonValue


class _AsList:
    """The type of ``as_list``."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # A list (or null) takes the field's own schema and no Python call; only a bare item
        # falls through to the second branch.
        bare = core_schema.no_info_after_validator_function(
            _one_item, handler.generate_schema(_item_type(source))
        )
        return core_schema.union_schema([handler(source), bare], mode="left_to_right")

    def __repr__(self) -> str:
        return "as_list"


def _one_item(value: object) -> list[object]:
    return [value]


def _item_type(annotation: Any) -> Any:
    """``X`` of ``list[X]`` or ``Optional[list[X]]``."""
    for candidate in (annotation, *get_args(annotation)):
        if get_origin(candidate) is list:
            return get_args(candidate)[0]
    raise TypeError(f"as_list annotates a list field, not {annotation!r}")


# ``Annotated[list[X] | None, as_list]``: also accept a bare ``X`` where the schema promises a list
# of scalars (the offers docs send ``message: "..."`` for ``message: [String]``), as ``[X]``.
as_list: Final = _AsList()
