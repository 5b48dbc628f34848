"""ClientSecretCredential: the token request, response parsing, error classification, retries."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.entra import (
    CLIENT_ID,
    SCOPE,
    SECRET,
    TENANT,
    TOKEN_URL,
    FakeClock,
    SleepRecorder,
    error_json,
    make_credential,
    token_json,
)

from alleviate_debtcore.auth import (
    AccessToken,
    TokenCredential,
    TokenEndpointCredential,
)
from alleviate_debtcore.auth._response import parse_retry_after
from alleviate_debtcore.errors import (
    ConfigurationError,
    CredentialError,
    InvalidCredentialsError,
    MalformedTokenResponseError,
    TokenEndpointError,
)

# --- the request ----------------------------------------------------------------------------


async def test_posts_the_client_credentials_form_to_the_tenant_token_url(
    httpx_mock: HTTPXMock,
) -> None:
    httpx_mock.add_response(url=TOKEN_URL, method="POST", json=token_json())
    token = await make_credential().get_token(SCOPE)

    assert token.token == "tok-1"
    request = httpx_mock.get_requests()[0]
    assert str(request.url) == TOKEN_URL
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": [CLIENT_ID],
        "client_secret": [SECRET],
        "scope": [SCOPE],
    }
    assert "Authorization" not in request.headers
    assert request.headers["client-request-id"]


def test_sync_request_is_the_same(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, method="POST", json=token_json("tok-sync"))
    assert make_credential().get_token_sync(SCOPE).token == "tok-sync"
    form = parse_qs(httpx_mock.get_requests()[0].content.decode())
    assert form["grant_type"] == ["client_credentials"]
    assert form["client_secret"] == [SECRET]


async def test_injected_client_keeps_its_auth_and_authorization_header_away_from_entra(
    httpx_mock: HTTPXMock,
) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json=token_json())

    def api_auth(request: httpx.Request) -> httpx.Request:
        request.headers["X-Api-Auth"] = "ran"
        return request

    async with httpx.AsyncClient(
        headers={"Authorization": "Bearer api-token"}, auth=api_auth, timeout=60.0
    ) as shared:
        await make_credential(async_client=shared, timeout=4.0).get_token(SCOPE)
        assert not shared.is_closed

    request = httpx_mock.get_requests()[0]
    assert "Authorization" not in request.headers
    assert "X-Api-Auth" not in request.headers
    # Its own short timeout, not the shared client's.
    assert request.extensions["timeout"] == {
        "connect": 4.0,
        "read": 4.0,
        "write": 4.0,
        "pool": 4.0,
    }


async def test_authority_is_configurable_and_normalised(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"https://login.microsoftonline.us/{TENANT}/oauth2/v2.0/token", json=token_json()
    )
    credential = make_credential(authority="https://LOGIN.microsoftonline.us/")
    await credential.get_token(SCOPE)
    assert credential.cache_key_parts == ("https://login.microsoftonline.us", TENANT, CLIENT_ID)


async def test_expiry_counts_from_when_the_request_was_sent(httpx_mock: HTTPXMock) -> None:
    clock = FakeClock()
    sent_at = clock.now

    def slow_entra(request: httpx.Request) -> httpx.Response:
        clock.advance(7.0)  # the answer takes 7 s to arrive
        return httpx.Response(200, json=token_json(expires_in=3599))

    httpx_mock.add_callback(slow_entra, url=TOKEN_URL)
    token = await make_credential(clock=clock).get_token(SCOPE)
    assert token.expires_on == sent_at + 3599
    assert token.refresh_on == token.expires_on  # no refresh_in: no earlier hint


@pytest.mark.parametrize(
    ("expires_in", "refresh_in", "expected_refresh"),
    [
        (86399, 43199, 43199.0),
        ("3599", "1800", 1800.0),  # Entra v1 sends numbers as strings
        (3599, None, 3599.0),
        (3599, 5000, 3599.0),  # a hint past expiry is ignored
        (3599, "soon", 3599.0),  # an unreadable hint is ignored, not fatal
    ],
)
async def test_refresh_in_is_honoured(
    httpx_mock: HTTPXMock, expires_in: Any, refresh_in: Any, expected_refresh: float
) -> None:
    clock = FakeClock()
    extra = {} if refresh_in is None else {"refresh_in": refresh_in}
    httpx_mock.add_response(url=TOKEN_URL, json=token_json(expires_in=expires_in, **extra))
    token = await make_credential(clock=clock).get_token(SCOPE)
    assert token.expires_on == clock.now + float(expires_in)
    assert token.refresh_on == clock.now + expected_refresh


async def test_token_type_is_case_insensitive(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json={**token_json(), "token_type": "bearer"})
    assert (await make_credential().get_token(SCOPE)).token == "tok-1"


# --- malformed 2xx responses ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "fragment"),
    [
        (
            httpx.Response(200, text="<html>Sign in</html>", headers={"Content-Type": "text/html"}),
            "not a JSON object (text/html)",
        ),
        (httpx.Response(200, text="not json at all"), "not a JSON object"),
        (httpx.Response(200, json=["a", "list"]), "not a JSON object"),
        (httpx.Response(200, json={"token_type": "Bearer", "expires_in": 3600}), "no access_token"),
        (httpx.Response(200, json={**token_json(), "access_token": ""}), "no access_token"),
        (
            httpx.Response(200, json={"token_type": "Bearer", "access_token": "tok-1"}),
            "no expires_in",
        ),
        (httpx.Response(200, json=token_json(expires_in="an hour")), "expires_in"),
        (httpx.Response(200, json=token_json(expires_in=True)), "expires_in"),
        (httpx.Response(200, json=token_json(expires_in=0)), "expires_in"),
        (httpx.Response(200, json=token_json(expires_in=None)), "expires_in"),
        (
            httpx.Response(200, json={**token_json(), "token_type": "pop"}),
            "'pop' instead of Bearer",
        ),
        (httpx.Response(200, json={**token_json(), "token_type": 7}), "instead of Bearer"),
    ],
)
async def test_malformed_token_responses_raise_at_once(
    httpx_mock: HTTPXMock, response: httpx.Response, fragment: str
) -> None:
    httpx_mock.add_response(
        url=TOKEN_URL,
        status_code=response.status_code,
        content=response.content,
        headers=dict(response.headers),
    )
    sleeper = SleepRecorder()
    with pytest.raises(MalformedTokenResponseError) as caught:
        await make_credential(sleeper=sleeper).get_token(SCOPE)
    assert fragment in str(caught.value)
    assert caught.value.status_code == 200
    assert sleeper.delays == []  # not retried
    assert len(httpx_mock.get_requests()) == 1


# --- configuration errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error", "code", "hint"),
    [
        (401, "invalid_client", 7000215, "not its Secret ID"),
        (401, "invalid_client", 7000222, "has expired"),
        (400, "unauthorized_client", 700016, "check ALLEVIATE_CLIENT_ID and the tenant id"),
        (400, "invalid_request", 90002, "tenant was not found"),
        (400, "invalid_tenant", None, "check the tenant id"),
        (400, "invalid_resource", 500011, "app id in api://<app id>/.default"),
        (400, "invalid_scope", 70011, "api://<Debt Core app id>/.default"),
        (400, "invalid_grant", None, "check the client id, the client secret"),
        (400, "invalid_client", 9999999, "check ALLEVIATE_CLIENT_ID and ALLEVIATE_CLIENT_SECRET"),
        (401, "some_new_error", None, "check the client id, secret, tenant id and scope"),
    ],
)
async def test_configuration_errors_raise_invalid_credentials_without_retry(
    httpx_mock: HTTPXMock, status: int, error: str, code: int | None, hint: str
) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=status, json=error_json(error, code))
    sleeper = SleepRecorder()
    with pytest.raises(InvalidCredentialsError) as caught:
        await make_credential(sleeper=sleeper).get_token(SCOPE)

    exc = caught.value
    assert exc.status_code == status
    assert exc.oauth_error == error
    assert exc.aadsts_code == (f"AADSTS{code}" if code else None)
    assert exc.trace_id == "trace-1234"
    assert exc.correlation_id == "corr-5678"
    assert hint in str(exc)
    assert "trace_id=trace-1234" in str(exc)
    assert sleeper.delays == []
    assert len(httpx_mock.get_requests()) == 1


async def test_aadsts_code_falls_back_to_the_description_prefix(httpx_mock: HTTPXMock) -> None:
    body = error_json("invalid_client", 7000222)
    del body["error_codes"]
    httpx_mock.add_response(url=TOKEN_URL, status_code=401, json=body)
    with pytest.raises(InvalidCredentialsError) as caught:
        await make_credential().get_token(SCOPE)
    assert caught.value.aadsts_code == "AADSTS7000222"
    assert "has expired" in str(caught.value)


async def test_classification_follows_the_error_field_not_the_aadsts_number(
    httpx_mock: HTTPXMock,
) -> None:
    # A config-error AADSTS number under temporarily_unavailable is still retried.
    httpx_mock.add_response(
        url=TOKEN_URL, status_code=400, json=error_json("temporarily_unavailable", 7000215)
    )
    httpx_mock.add_response(url=TOKEN_URL, json=token_json())
    assert (await make_credential().get_token(SCOPE)).token == "tok-1"


async def test_a_non_json_404_points_at_the_authority(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=404, text="<html>Not Found</html>")
    with pytest.raises(InvalidCredentialsError) as caught:
        await make_credential().get_token(SCOPE)
    assert caught.value.oauth_error is None
    assert "authority URL" in str(caught.value)


# --- retries --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(429, json=error_json("throttled", None)),
        httpx.Response(500, text="<html>oops</html>"),
        httpx.Response(503, json=error_json("temporarily_unavailable", 50196)),
        httpx.Response(400, json=error_json("temporarily_unavailable", None)),
        httpx.Response(408),
    ],
)
async def test_transient_failures_are_retried(
    httpx_mock: HTTPXMock, failure: httpx.Response
) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=failure.status_code, content=failure.content)
    httpx_mock.add_response(url=TOKEN_URL, json=token_json())
    sleeper = SleepRecorder()
    token = await make_credential(sleeper=sleeper).get_token(SCOPE)
    assert token.token == "tok-1"
    assert sleeper.delays == [0.5]
    assert len(httpx_mock.get_requests()) == 2


@pytest.mark.parametrize(
    "exception",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.ConnectTimeout("x")],
)
async def test_connection_errors_and_timeouts_are_retried(
    httpx_mock: HTTPXMock, exception: Exception
) -> None:
    httpx_mock.add_exception(exception, url=TOKEN_URL)
    httpx_mock.add_response(url=TOKEN_URL, json=token_json())
    assert (await make_credential().get_token(SCOPE)).token == "tok-1"


async def test_backoff_doubles_with_jitter_and_gives_up_after_max_retries(
    httpx_mock: HTTPXMock,
) -> None:
    for _ in range(4):
        httpx_mock.add_response(url=TOKEN_URL, status_code=503, json=error_json("x", 50001))
    sleeper = SleepRecorder()
    draws = iter([1.0, 0.0, 0.5])
    credential = make_credential(sleeper=sleeper, _random=lambda: next(draws))
    with pytest.raises(TokenEndpointError) as caught:
        await credential.get_token(SCOPE)
    # 0.5, 1, 2 s scaled by 0.75-1.0
    assert sleeper.delays == [0.5, 0.75, 2 * 0.875]
    assert len(httpx_mock.get_requests()) == 4  # 1 + max_retries=3
    assert caught.value.status_code == 503
    assert caught.value.aadsts_code == "AADSTS50001"


async def test_backoff_is_capped_at_eight_seconds(httpx_mock: HTTPXMock) -> None:
    for _ in range(8):
        httpx_mock.add_response(url=TOKEN_URL, status_code=500)
    sleeper = SleepRecorder()
    with pytest.raises(TokenEndpointError):
        await make_credential(sleeper=sleeper, max_retries=7).get_token(SCOPE)
    assert sleeper.delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"Retry-After": "Thu, 01 Jan 1970 00:00:00 GMT"}, 0.0),  # a date in the past
        ({"Retry-After": "whenever"}, 0.5),  # unreadable: our own backoff
    ],
)
async def test_retry_after_is_honoured_and_capped(
    httpx_mock: HTTPXMock, headers: dict[str, str], expected: float
) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=429, headers=headers)
    httpx_mock.add_response(url=TOKEN_URL, json=token_json())
    sleeper = SleepRecorder()
    await make_credential(sleeper=sleeper).get_token(SCOPE)
    assert sleeper.delays == [expected]


async def test_a_retry_after_beyond_the_cap_fails_at_once(httpx_mock: HTTPXMock) -> None:
    # The same rule as the API's: above RetryPolicy.max_retry_after (60 s), no waiting.
    httpx_mock.add_response(url=TOKEN_URL, status_code=429, headers={"Retry-After": "3600"})
    sleeper = SleepRecorder()
    with pytest.raises(TokenEndpointError) as caught:
        await make_credential(sleeper=sleeper).get_token(SCOPE)
    assert caught.value.status_code == 429
    assert sleeper.delays == []
    assert len(httpx_mock.get_requests()) == 1


def test_sync_retries_use_the_sync_sleep(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=429, headers={"Retry-After": "2"})
    httpx_mock.add_exception(httpx.ConnectError("refused"), url=TOKEN_URL)
    httpx_mock.add_response(url=TOKEN_URL, json=token_json())
    sleeper = SleepRecorder()
    assert make_credential(sleeper=sleeper).get_token_sync(SCOPE).token == "tok-1"
    assert sleeper.delays == [2.0, 1.0]


async def test_exhausted_connection_errors_raise_token_endpoint_error_with_cause(
    httpx_mock: HTTPXMock,
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("refused"), url=TOKEN_URL)
    httpx_mock.add_exception(httpx.ConnectError("refused"), url=TOKEN_URL)
    with pytest.raises(TokenEndpointError) as caught:
        await make_credential(max_retries=1).get_token(SCOPE)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert "could not be reached" in str(caught.value)
    assert caught.value.status_code is None


async def test_max_retries_zero_means_one_attempt(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=429)
    with pytest.raises(TokenEndpointError) as caught:
        await make_credential(max_retries=0).get_token(SCOPE)
    assert caught.value.status_code == 429
    assert len(httpx_mock.get_requests()) == 1


async def test_an_undecodable_body_is_not_retried(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=TOKEN_URL, content=b"\x00garbage", headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(TokenEndpointError) as caught:
        await make_credential().get_token(SCOPE)
    assert isinstance(caught.value.__cause__, httpx.DecodingError)
    assert len(httpx_mock.get_requests()) == 1


# --- configuration and lifecycle --------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tenant_id": ""},
        {"tenant_id": "a/b"},
        {"client_id": "  "},
        {"client_secret": ""},
        {"authority": "http://login.example.com"},
        {"authority": "ftp://login.microsoftonline.com"},
        {"authority": "https://"},
        {"timeout": 0},
        {"max_retries": -1},
    ],
)
def test_bad_configuration_is_refused_up_front(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        make_credential(**kwargs)
    assert SECRET not in str(caught.value)


def test_plain_http_is_allowed_for_a_local_sandbox() -> None:
    credential = make_credential(authority="http://127.0.0.1:8000")
    assert credential.token_url == f"http://127.0.0.1:8000/{TENANT}/oauth2/v2.0/token"


@pytest.mark.parametrize("scope", ["", "api://app", "api://a/.default api://b/.default", "openid"])
async def test_scope_must_be_a_default_scope(scope: str) -> None:
    with pytest.raises(ConfigurationError):
        await make_credential().get_token(scope)


async def test_aclose_closes_the_owned_client_only(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json=token_json(), is_reusable=True)
    owned = make_credential()
    await owned.get_token(SCOPE)
    client = owned._async_client  # pyright: ignore[reportPrivateUsage]
    assert client is not None
    await owned.aclose()
    assert client.is_closed
    await owned.aclose()  # idempotent
    await owned.get_token(SCOPE)  # a new client after close
    await owned.aclose()

    async with httpx.AsyncClient() as injected:
        credential = make_credential(async_client=injected)
        await credential.get_token(SCOPE)
        await credential.aclose()
        assert not injected.is_closed


def test_close_closes_the_owned_sync_client_only(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json=token_json(), is_reusable=True)
    owned = make_credential()
    owned.get_token_sync(SCOPE)
    client = owned._sync_client  # pyright: ignore[reportPrivateUsage]
    assert client is not None
    owned.close()
    assert client.is_closed

    with httpx.Client() as injected:
        credential = make_credential(sync_client=injected)
        credential.get_token_sync(SCOPE)
        credential.close()
        assert not injected.is_closed


def test_credential_satisfies_the_protocol_and_hides_the_secret() -> None:
    credential = make_credential()
    assert isinstance(credential, TokenCredential)
    # Even a debugger's or traceback's dump of the attributes shows no secret.
    for text in (repr(credential), str(credential), repr(vars(credential))):
        assert SECRET not in text
    assert CLIENT_ID in repr(credential)


def test_access_token_helpers_and_repr() -> None:
    token = AccessToken(token="tok-value", expires_on=100.0, refresh_on=80.0)
    assert "tok-value" not in repr(token)
    assert "tok-value" not in str(token)
    assert "tok-value" not in f"{token}"
    assert not token.is_due(79.9)
    assert token.is_due(80.0)
    assert not token.is_expired(99.9)
    assert token.is_expired(100.0)
    assert token.expires_in(40.0) == 60.0
    late_hint = AccessToken(token="t", expires_on=100.0, refresh_on=500.0)
    assert late_hint.is_due(100.0)
    with pytest.raises(AttributeError):
        token.token = "other"  # type: ignore[misc]


def test_documented_defaults() -> None:
    # The shared options live on the base class; every credential passes them through.
    parameters = inspect.signature(TokenEndpointCredential).parameters
    assert parameters["authority"].default is None  # None: Entra ID, or the client's environment
    assert make_credential().token_url.startswith("https://login.microsoftonline.com/")
    assert parameters["timeout"].default == 10.0
    assert parameters["max_retries"].default == 3
    for cls in (InvalidCredentialsError, TokenEndpointError, MalformedTokenResponseError):
        assert issubclass(cls, CredentialError)


def test_retry_after_as_a_future_http_date() -> None:
    headers = httpx.Headers({"Retry-After": "Wed, 21 Oct 2026 07:28:10 GMT"})
    now = datetime(2026, 10, 21, 7, 28, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after(headers, now=now) == 10.0
    assert parse_retry_after(httpx.Headers({})) is None
