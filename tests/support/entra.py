"""Shared values and helpers for the Entra auth tests (no network: pytest-httpx answers)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from alleviate_debtcore.auth import ClientSecretCredential, EntraAuth, TokenCache

TENANT = "8797fa3f-ba90-4187-97fb-6ab892ea9035"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
SECRET = "s3cr3t~Q8Q~very-secret-value-do-not-leak"
SCOPE = "api://aba793eb-f395-4f86-be59-7a7d0c1bfdb0/.default"
TOKEN_URL = f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"
API_URL = "https://api.test/credit-service/graphql"
T0 = 1_800_000_000.0


class FakeClock:
    """Epoch seconds that move only when told to."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class SleepRecorder:
    """Stands in for time.sleep / asyncio.sleep: records the delays, waits for none."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.delays.append(seconds)


def token_json(token: str = "tok-1", expires_in: Any = 3600, **extra: Any) -> dict[str, Any]:
    return {"token_type": "Bearer", "expires_in": expires_in, "access_token": token, **extra}


def error_json(error: str, code: int | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "error": error,
        "error_description": (
            f"AADSTS{code}: something went wrong. Trace ID: t Correlation ID: c"
            if code
            else "no code"
        ),
        "error_codes": [code] if code else [],
        "timestamp": "2026-11-27 19:00:00Z",
        "trace_id": "trace-1234",
        "correlation_id": "corr-5678",
    }
    body.update(extra)
    return body


def make_credential(
    *,
    clock: Callable[[], float] | None = None,
    sleeper: SleepRecorder | None = None,
    **kwargs: Any,
) -> ClientSecretCredential:
    sleeper = sleeper if sleeper is not None else SleepRecorder()
    options: dict[str, Any] = {
        "tenant_id": TENANT,
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "_sleep": sleeper,
        "_async_sleep": sleeper.async_sleep,
        "_random": lambda: 1.0,
    }
    if clock is not None:
        options["_clock"] = clock
    options.update(kwargs)
    return ClientSecretCredential(**options)


def make_auth(
    *,
    clock: FakeClock | None = None,
    jitter: float = 0.0,
    cache: TokenCache | None = None,
    credential: ClientSecretCredential | None = None,
    **kwargs: Any,
) -> EntraAuth:
    clock = clock if clock is not None else FakeClock()
    credential = credential if credential is not None else make_credential(clock=clock)
    return EntraAuth(
        credential, scope=SCOPE, cache=cache, _clock=clock, _jitter=lambda: jitter, **kwargs
    )


def bearer(request: httpx.Request) -> str:
    header: str = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ")


def api_tokens(requests: list[httpx.Request]) -> list[str]:
    """The bearer token each API request carried, in order."""
    return [bearer(r) for r in requests if r.url == API_URL]


class FakeApi:
    """The Debt Core API: answers 401 to the tokens it rejects, and records what each call carried.

    Recorded at call time, because a replay re-sends the same (mutated) request object.
    """

    def __init__(self, *rejected: str, delay: float = 0.0) -> None:
        self.rejected = set(rejected)
        self.delay = delay
        self.tokens: list[str] = []
        self.bodies: list[bytes] = []

    def _answer(self, request: httpx.Request) -> httpx.Response:
        token = bearer(request)
        self.tokens.append(token)
        self.bodies.append(request.content)
        if token in self.rejected:
            return httpx.Response(401, json={"errors": [{"message": "UNAUTHORIZED"}]})
        return httpx.Response(200, json={"data": {"ok": True}})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return self._answer(request)

    async def async_call(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(self.delay)
        return self._answer(request)
