"""What a scenario reports: summaries, ratios, targets and notes, as a table row set and JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ._stats import Summary

Comparison = Literal["<=", ">=", "=="]


@dataclass(frozen=True, slots=True)
class Target:
    """A goal from issue 7, checked against one reported value."""

    name: str
    value: float
    comparison: Comparison
    limit: float
    unit: str = ""

    @property
    def met(self) -> bool:
        if self.comparison == "<=":
            return self.value <= self.limit
        if self.comparison == ">=":
            return self.value >= self.limit
        return self.value == self.limit

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit not in ("", "x") else self.unit
        return f"{self.name} {self.comparison} {self.limit:g}{unit}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "comparison": self.comparison,
            "limit": self.limit,
            "unit": self.unit,
            "met": self.met,
        }


@dataclass(slots=True)
class ScenarioResult:
    """One scenario's outcome. ``measures`` and ``ratios`` keep insertion order for the table."""

    name: str
    title: str
    measures: dict[str, Summary] = field(default_factory=dict[str, Summary])
    ratios: dict[str, Summary] = field(default_factory=dict[str, Summary])
    targets: list[Target] = field(default_factory=list[Target])
    notes: list[str] = field(default_factory=list[str])
    params: dict[str, Any] = field(default_factory=dict[str, Any])
    details: dict[str, Any] = field(default_factory=dict[str, Any])
    elapsed_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "elapsed_s": round(self.elapsed_s, 3),
            "params": self.params,
            "measures": {label: s.to_json() for label, s in self.measures.items()},
            "ratios": {label: s.to_json() for label, s in self.ratios.items()},
            "targets": [t.to_json() for t in self.targets],
            "notes": self.notes,
            "details": self.details,
        }
