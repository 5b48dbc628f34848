"""Run the arms of a comparison in alternating order, round by round, within a time budget.

Each round times one batch of every arm; the starting arm rotates from round to round, so warm-up,
caches and background noise fall on all arms alike and per-round ratios compare like with like.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

AsyncBatch = Callable[[int], Awaitable[None]]
"""Runs ``n`` calls of one arm."""
SyncBatch = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Plan:
    """How much to measure: ``rounds`` rounds of ``batch`` calls per arm, ``warmup`` calls
    first, stopping early (after at least ``min_rounds``) once ``budget_s`` is spent."""

    rounds: int
    batch: int
    warmup: int
    budget_s: float
    min_rounds: int = 3


def _order(names: list[str], round_number: int) -> list[str]:
    shift = round_number % len(names)
    return names[shift:] + names[:shift]


async def interleaved(arms: Mapping[str, AsyncBatch], plan: Plan) -> dict[str, list[float]]:
    """Seconds per call of every arm, one value per round."""
    names = list(arms)
    for name in names:
        await arms[name](plan.warmup)
    per_call: dict[str, list[float]] = {name: [] for name in names}
    deadline = time.perf_counter() + plan.budget_s
    for round_number in range(plan.rounds):
        if round_number >= plan.min_rounds and time.perf_counter() > deadline:
            break
        gc.collect()  # start each round from the same heap state, not the previous arm's garbage
        for name in _order(names, round_number):
            started = time.perf_counter()
            await arms[name](plan.batch)
            per_call[name].append((time.perf_counter() - started) / plan.batch)
    return per_call


def interleaved_sync(arms: Mapping[str, SyncBatch], plan: Plan) -> dict[str, list[float]]:
    """``interleaved`` for CPU-only arms that need no event loop."""
    names = list(arms)
    for name in names:
        arms[name](plan.warmup)
    per_call: dict[str, list[float]] = {name: [] for name in names}
    deadline = time.perf_counter() + plan.budget_s
    for round_number in range(plan.rounds):
        if round_number >= plan.min_rounds and time.perf_counter() > deadline:
            break
        gc.collect()
        for name in _order(names, round_number):
            started = time.perf_counter()
            arms[name](plan.batch)
            per_call[name].append((time.perf_counter() - started) / plan.batch)
    return per_call
