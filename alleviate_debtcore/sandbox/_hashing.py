"""Deterministic pseudo-random values: everything is derived from a sha256 of the inputs.

The sandbox never uses ``random`` or the clock for business data, so the same sequence of
requests against a fresh server always produces the same IDs and the same reports.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import TypeVar

_T = TypeVar("_T")


def digest(*parts: object) -> bytes:
    """sha256 over a canonical JSON rendering of ``parts``."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).digest()


def det_int(low: int, high: int, *parts: object) -> int:
    """An integer in ``[low, high]``."""
    return low + int.from_bytes(digest(*parts)[:8], "big") % (high - low + 1)


def det_uuid(*parts: object) -> str:
    """A version-4-shaped UUID string."""
    return str(uuid.UUID(bytes=digest(*parts)[:16], version=4))


def det_hex(length: int, *parts: object) -> str:
    return digest(*parts).hex()[:length]


def det_digits(length: int, *parts: object) -> str:
    return str(int.from_bytes(digest(*parts), "big"))[-length:].zfill(length)


def det_choice(options: Sequence[_T], *parts: object) -> _T:
    return options[det_int(0, len(options) - 1, *parts)]
