"""The access token value and its expiry arithmetic."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

__all__ = ["AccessToken"]


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token with its expiry and refresh times, both in epoch seconds.

    ``refresh_on`` is when the token becomes due for a proactive refresh: the issuer's
    ``refresh_in`` hint when it sent one, otherwise ``expires_on``. ``EntraAuth`` stores tokens
    with ``refresh_on`` moved earlier by its refresh margin, so a shared cache carries the schedule.

    The token value never appears in ``repr`` or ``str``.
    """

    token: str = field(repr=False)
    expires_on: float
    refresh_on: float

    def is_expired(self, now: float | None = None) -> bool:
        """True once ``expires_on`` has passed."""
        return (time.time() if now is None else now) >= self.expires_on

    def is_due(self, now: float | None = None) -> bool:
        """True once ``refresh_on`` (or ``expires_on``) has passed: time to fetch a new one."""
        current = time.time() if now is None else now
        return current >= min(self.refresh_on, self.expires_on)

    def expires_in(self, now: float | None = None) -> float:
        """Seconds of validity left (negative once expired)."""
        return self.expires_on - (time.time() if now is None else now)
