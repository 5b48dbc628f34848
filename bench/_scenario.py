"""The scenario interface: a name, a title and a run function taking the run's context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ._interleave import Plan
from ._result import ScenarioResult


@dataclass(frozen=True, slots=True)
class Context:
    """``smoke``: tiny N, only to prove that every scenario runs. ``workdir``: scratch files."""

    smoke: bool
    workdir: Path

    def plan(self, full: Plan, smoke: Plan) -> Plan:
        return smoke if self.smoke else full


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    title: str
    run: Callable[[Context], ScenarioResult]
