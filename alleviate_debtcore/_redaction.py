"""Removing applicant data from texts the server wrote before they reach an exception.

GraphQL servers echo rejected variable values in their messages (graphql-js:
``Variable "$input" got invalid value "666023511" at "input.ssn"; String cannot represent a non
string value: 666023511``). Every such echo in the whole text is replaced, and any SSN- or
date-shaped number left over is masked as a safety net.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["REDACTED", "redact_server_message"]

REDACTED: Final = "<redacted>"

# A phrase that introduces an echoed value, then the value: up to the end of its clause ("; ",
# a location such as ` at "input.ssn"`, or the end of the text).
_ECHO: Final = re.compile(
    r"""(?P<lead>
        got\ invalid\ value
      | has\ invalid\ value
      | cannot\ represent\ (?:an?\ )?(?:non[- ][\w-]+\ )?value:?
      | invalid\ value:?
      | ,\ found
    )
    \s*(?P<value>.*?)
    (?P<end>;\s|\ at\ ["']|\.\s|$)""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
# SSNs (with or without dashes), 9+ digit runs, and dates: whatever phrase carried them.
_SHAPED: Final = re.compile(
    r"\b\d{3}-\d{2}-\d{4}\b|\d{9,}|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
)


def _echo(match: re.Match[str]) -> str:
    value = match.group("value")
    return f"{match.group('lead')} {REDACTED if value else ''}".rstrip() + match.group("end")


def redact_server_message(message: str) -> str:
    """``message`` with every echoed value and every SSN- or date-shaped number replaced."""
    return _SHAPED.sub(REDACTED, _ECHO.sub(_echo, message))
