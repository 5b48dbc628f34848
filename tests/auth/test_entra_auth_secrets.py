"""No secret and no token in any log record, exception text or repr, failures included."""

from __future__ import annotations

import logging

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.entra import (
    API_URL,
    SECRET,
    TOKEN_URL,
    FakeApi,
    FakeClock,
    error_json,
    make_auth,
    make_credential,
    token_json,
)

from alleviate_debtcore.auth import InMemoryTokenCache
from alleviate_debtcore.errors import (
    CredentialError,
    InvalidCredentialsError,
    MalformedTokenResponseError,
    TokenEndpointError,
)

TOKEN_1 = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.first-token-value.c2lnbmF0dXJl"
TOKEN_2 = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.second-token-value.c2lnbmF0dXJl"
NEEDLES = (SECRET, TOKEN_1, TOKEN_2, "first-token-value", "second-token-value")


def exception_texts(exc: BaseException) -> list[str]:
    """str and repr of an exception and of everything chained to it."""
    texts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), *map(str, current.args)]
        current = current.__cause__ or current.__context__
    return texts


def assert_clean(texts: list[str]) -> None:
    for text in texts:
        for needle in NEEDLES:
            assert needle not in text, f"leaked {needle[:12]}... in {text[:80]!r}"


async def test_nothing_secret_reaches_logs_errors_or_reprs(
    httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx's included
    clock = FakeClock()
    raised: list[CredentialError] = []

    # 1. success, then a 401 replay with a second token.
    httpx_mock.add_response(url=TOKEN_URL, json=token_json(TOKEN_1))
    httpx_mock.add_response(url=TOKEN_URL, json=token_json(TOKEN_2, refresh_in=1800))
    api = FakeApi(TOKEN_1)
    httpx_mock.add_callback(api, url=API_URL, is_reusable=True)
    cache = InMemoryTokenCache()
    credential = make_credential(clock=clock, max_retries=1)
    auth = make_auth(clock=clock, credential=credential, cache=cache)
    async with httpx.AsyncClient(auth=auth) as client:
        assert (await client.get(API_URL)).status_code == 200

        # 2. a proactive refresh that fails on every attempt (body echoes the secret).
        clock.advance(1800)
        for _ in range(2):
            httpx_mock.add_response(
                url=TOKEN_URL,
                status_code=503,
                text=f"<html>upstream said {SECRET} {TOKEN_2}</html>",
            )
        assert (await client.get(API_URL)).status_code == 200

        # 3. expired: a refusal whose description echoes the secret and the token.
        clock.advance(2000)
        httpx_mock.add_response(
            url=TOKEN_URL,
            status_code=401,
            json=error_json(
                "invalid_client",
                7000215,
                error_description=f"AADSTS7000215: Invalid client secret {SECRET} for {TOKEN_2}",
            ),
        )
        with pytest.raises(InvalidCredentialsError) as refused:
            await client.get(API_URL)
        raised.append(refused.value)

    # 4. a malformed 2xx that carries both values.
    httpx_mock.add_response(
        url=TOKEN_URL,
        json={"access_token": TOKEN_1, "token_type": "Bearer", "expires_in": "x", "s": SECRET},
    )
    with pytest.raises(MalformedTokenResponseError) as malformed:
        await credential.get_token(auth.scope)
    raised.append(malformed.value)

    # 5. unreachable, and 5xx exhausted, through the sync path.
    httpx_mock.add_exception(httpx.ConnectError("refused"), url=TOKEN_URL)
    httpx_mock.add_exception(httpx.ReadTimeout("slow"), url=TOKEN_URL)
    with pytest.raises(TokenEndpointError) as unreachable:
        credential.get_token_sync(auth.scope)
    raised.append(unreachable.value)
    httpx_mock.add_response(url=TOKEN_URL, status_code=500, json={"error": "server_error"})
    httpx_mock.add_response(url=TOKEN_URL, status_code=429, headers={"Retry-After": "0"})
    with pytest.raises(TokenEndpointError) as exhausted:
        credential.get_token_sync(auth.scope)
    raised.append(exhausted.value)
    await auth.aclose()
    auth.close()

    # The scenario really ran: replay, fallback warning, failures.
    assert api.tokens[:3] == [TOKEN_1, TOKEN_2, TOKEN_2]
    assert any("still using the current token" in r.getMessage() for r in caplog.records)
    assert any("token acquired" in r.getMessage() for r in caplog.records)

    texts = [caplog.text]
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.args), str(record.exc_info)]
    for exc in raised:
        texts += exception_texts(exc)
    texts += [repr(credential), str(credential), repr(auth), str(auth), repr(cache)]
    stored = cache.get(auth.cache_key)
    texts += [repr(stored), str(stored)]
    assert_clean(texts)
    assert "AADSTS7000215" in str(raised[0])  # the errors still say what went wrong
