"""The ``{data, errors}`` payload envelope every Debt Core operation returns.

Resolvers return data (or a ``Payload`` carrying data and problems) or raise ``BusinessError``;
the resolver registry renders the envelope in the shape the operation's schema declares: error
``message`` as a string or a list of strings, with ``debtId`` where the error type has one.

Every message reads ``CODE`` or ``CODE: detail``, e.g. ``NOT_FOUND: no credit report cr-1``;
clients classify on the part before the colon. Messages never contain SSNs, birth dates or names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

JsonDict = dict[str, Any]


def as_dict(value: object) -> JsonDict:
    """``value`` if it is a dict (GraphQL input objects arrive as dicts), else an empty one."""
    return cast(JsonDict, value) if isinstance(value, dict) else {}


def as_dicts(value: object) -> list[JsonDict]:
    """The dict items of ``value`` if it is a list (null list items are dropped)."""
    items = cast(list[object], value) if isinstance(value, list) else []
    return [cast(JsonDict, item) for item in items if isinstance(item, dict)]


VALIDATION_ERROR = "VALIDATION_ERROR"
NOT_FOUND = "NOT_FOUND"


@dataclass(frozen=True)
class Problem:
    """One business error: one or more reasons, optionally about one debt."""

    messages: tuple[str, ...]
    debt_id: str | None = None


def problem(code: str, detail: str = "", *, debt_id: str | None = None) -> Problem:
    return Problem((f"{code}: {detail}" if detail else code,), debt_id)


class BusinessError(Exception):
    """Abort the operation: the payload gets ``data: null`` and these errors."""

    def __init__(self, code: str, detail: str = "", *, debt_id: str | None = None) -> None:
        super().__init__(code)
        self.problems = [problem(code, detail, debt_id=debt_id)]


@dataclass
class Payload:
    """Data and errors together (offers with a bad date, eligibility with failed rules)."""

    data: Any
    errors: list[Problem] = field(default_factory=lambda: list[Problem]())


@dataclass(frozen=True)
class ErrorShape:
    """How the operation's error type spells its items."""

    message_is_list: bool
    has_debt_id: bool

    def render(self, problems: list[Problem]) -> list[JsonDict] | None:
        if not problems:
            return None
        items: list[JsonDict] = []
        for item in problems:
            rendered: JsonDict = {
                "message": list(item.messages) if self.message_is_list else "; ".join(item.messages)
            }
            if self.has_debt_id:
                rendered["debtId"] = item.debt_id
            items.append(rendered)
        return items


def envelope(result: object, shape: ErrorShape) -> JsonDict:
    payload = result if isinstance(result, Payload) else Payload(result)
    return {"data": payload.data, "errors": shape.render(payload.errors)}
