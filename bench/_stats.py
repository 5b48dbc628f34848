"""Robust summaries (median and quartiles) and per-round ratios of interleaved measurements."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Summary:
    """N samples as median, quartiles and extremes, in ``unit``."""

    n: int
    median: float
    p25: float
    p75: float
    min: float
    max: float
    unit: str

    @property
    def iqr(self) -> float:
        return self.p75 - self.p25

    def scaled(self, factor: float, unit: str) -> Summary:
        """The same summary in another unit (e.g. seconds to microseconds)."""
        return Summary(
            self.n,
            self.median * factor,
            self.p25 * factor,
            self.p75 * factor,
            self.min * factor,
            self.max * factor,
            unit,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "median": self.median,
            "p25": self.p25,
            "p75": self.p75,
            "iqr": self.iqr,
            "min": self.min,
            "max": self.max,
            "unit": self.unit,
        }


def summarize(samples: Sequence[float], unit: str) -> Summary:
    """Median and quartiles (inclusive method, so small N stays within the observed range)."""
    if not samples:
        raise ValueError("no samples to summarize")
    values = sorted(samples)
    if len(values) == 1:
        q1 = med = q3 = values[0]
    else:
        q1, med, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Summary(len(values), med, q1, q3, values[0], values[-1], unit)


def ratios(numerator: Sequence[float], denominator: Sequence[float]) -> Summary:
    """Per-round ratios of two arms measured in the same rounds.

    Pairing by round cancels drift that affects both arms of a round (CPU frequency, a noisy
    neighbour), which a ratio of two medians would not.
    """
    if len(numerator) != len(denominator):
        raise ValueError("ratios need the same rounds on both sides")
    return summarize([a / b for a, b in zip(numerator, denominator, strict=True)], "x")
