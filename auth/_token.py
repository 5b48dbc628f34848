"""The access token value, its expiry arithmetic, and what a usable one looks like."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

__all__ = ["MAX_TOKEN_LENGTH", "AccessToken", "token_value_problem"]

# Entra access tokens are JWTs of 1-3 KiB (more with many group claims); 16 KiB is far above any
# real one and below what servers accept in one header (nginx and Envoy default to 8-64 KiB).
MAX_TOKEN_LENGTH = 16 * 1024
# Visible ASCII: RFC 6750's b64token and every JWT fit; CR, LF, NUL, spaces and non-ASCII do not,
# so a value read from a shared store can never add a header or break the request line.
_TOKEN_CHARACTERS = re.compile(r"[\x21-\x7e]+")


def token_value_problem(value: object) -> str | None:
    """Why ``value`` cannot be sent as a bearer token (never quoting it), or None if it can."""
    if not isinstance(value, str) or not value:
        return "an empty token"
    if len(value) > MAX_TOKEN_LENGTH:
        return f"a token over {MAX_TOKEN_LENGTH} characters"
    if _TOKEN_CHARACTERS.fullmatch(value) is None:
        return "a token with characters not allowed in an HTTP header"
    return None


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
