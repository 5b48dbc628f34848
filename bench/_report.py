"""Rendering results: a plain-text table for the terminal, Markdown for the README, and JSON."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._result import ScenarioResult, Target
from ._stats import Summary


def _number(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}x"
    if unit in ("KiB", "calls/s", "req", "us"):
        return f"{value:,.0f}"
    if abs(value) < 10:
        return f"{value:.2f}"
    return f"{value:,.1f}"


def _unit(unit: str) -> str:
    return "" if unit == "x" else f" {unit}"


def _median(summary: Summary) -> str:
    return _number(summary.median, summary.unit) + _unit(summary.unit)


def _spread(summary: Summary) -> str:
    if summary.n == 1:
        return "-"
    return f"{_number(summary.p25, summary.unit)} .. {_number(summary.p75, summary.unit)}"


def _rows(result: ScenarioResult) -> Iterator[tuple[str, Summary]]:
    yield from result.measures.items()
    for label, summary in result.ratios.items():
        yield f"ratio {label}", summary


def _target_text(target: Target) -> str:
    verdict = "met" if target.met else "MISSED"
    value = _number(target.value, target.unit)
    return f"{target.describe()}: {value}{_unit(target.unit)} -> {verdict}"


def text_table(results: list[ScenarioResult], machine_line: str) -> str:
    widths = (46, 14, 24, 4)
    lines = [
        f"{'scenario / measure':<{widths[0]}}{'median':>{widths[1]}}  "
        f"{'p25 .. p75':<{widths[2]}}{'N':>{widths[3]}}",
        "-" * (sum(widths) + 2),
    ]
    for result in results:
        lines.append(f"{result.title}  [{result.name}, {result.elapsed_s:.1f} s]")
        for label, summary in _rows(result):
            lines.append(
                f"  {label:<{widths[0] - 2}}{_median(summary):>{widths[1]}}  "
                f"{_spread(summary):<{widths[2]}}{summary.n:>{widths[3]}}"
            )
        for target in result.targets:
            lines.append(f"  target {_target_text(target)}")
    lines.append("-" * (sum(widths) + 2))
    lines.append(f"machine: {machine_line}")
    return "\n".join(lines)


def markdown_table(results: list[ScenarioResult]) -> str:
    lines = [
        "| Scenario | Measure | Median | p25 .. p75 | N |",
        "|---|---|--:|--:|--:|",
    ]
    for result in results:
        title = result.title
        for label, summary in _rows(result):
            lines.append(
                f"| {title} | {label} | {_median(summary)} | {_spread(summary)} | {summary.n} |"
            )
            title = ""
    lines += ["", "| Target | Value | Met |", "|---|--:|:-:|"]
    for result in results:
        for target in result.targets:
            value = _number(target.value, target.unit) + _unit(target.unit)
            met = "yes" if target.met else "**no**"
            lines.append(f"| {result.title.split('.')[0]}. {target.describe()} | {value} | {met} |")
    return "\n".join(lines)


def document(
    results: list[ScenarioResult], machine: dict[str, Any], *, smoke: bool, argv: list[str]
) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "command": "python -m bench " + " ".join(argv),
        "smoke": smoke,
        "machine": machine,
        "scenarios": {result.name: result.to_json() for result in results},
        "targets_met": all(t.met for r in results for t in r.targets),
    }
