"""A refused connection to a loopback authority (issue 21, item 9): almost always the local
sandbox not running. It fails at once, saying so, instead of retrying for seconds and blaming
"network access"; anything else (another host, a timeout) is retried as before."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.support.entra import CLIENT_ID, SCOPE, SECRET, TENANT, SleepRecorder

from alleviate_debtcore import AsyncDebtCore, DebtCore, Environment
from alleviate_debtcore.auth import ClientSecretCredential
from alleviate_debtcore.errors import TokenEndpointError


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound (so nothing else takes it), never
    listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def _says_sandbox_is_not_running(error: TokenEndpointError, authority: str) -> None:
    assert "refused the connection" in error.message
    assert "may not be running" in error.message
    assert "`debtcore sandbox`" in error.message
    assert authority in error.message
    assert "check network access" not in error.message


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_refused_loopback_token_endpoint_fails_at_once_both_faces(
    closed_port: int, host: str
) -> None:
    authority = f"http://{host}:{closed_port}"
    sleeps = SleepRecorder()
    credential = ClientSecretCredential(
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        client_secret=SECRET,
        authority=authority,
        max_retries=3,
        _sleep=sleeps,
        _async_sleep=sleeps.async_sleep,
    )
    with pytest.raises(TokenEndpointError) as sync_error:
        credential.get_token_sync(SCOPE)
    with pytest.raises(TokenEndpointError) as async_error:
        await credential.get_token(SCOPE)
    credential.close()
    await credential.aclose()
    for caught in (sync_error, async_error):
        _says_sandbox_is_not_running(caught.value, authority)
        assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)
    assert sleeps.delays == []  # not one retry


async def test_the_clients_say_so_too(closed_port: int) -> None:
    base_url = f"http://127.0.0.1:{closed_port}"
    environment = Environment.local(base_url)
    with (
        DebtCore(client_id=CLIENT_ID, client_secret=SECRET, environment=environment) as sync,
        pytest.raises(TokenEndpointError) as sync_error,
    ):  # in a thread: the blocking face must not run on this test's event loop
        await asyncio.to_thread(sync.offers.get_offer, "og-offer-123456")
    _says_sandbox_is_not_running(sync_error.value, base_url)
    async with AsyncDebtCore(
        client_id=CLIENT_ID, client_secret=SECRET, environment=environment
    ) as debtcore:
        with pytest.raises(TokenEndpointError) as async_error:
            await debtcore.offers.get_offer("og-offer-123456")
    _says_sandbox_is_not_running(async_error.value, base_url)


def _raising(error: Exception) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return httpx.MockTransport(handler)


def _refused() -> httpx.ConnectError:
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError as refused:
            raise httpx.ConnectError("[Errno 111] Connection refused") from refused
    except httpx.ConnectError as error:
        return error


@pytest.mark.parametrize(
    ("authority", "error", "expected"),
    [
        # Another host refusing is a network problem worth retrying (a restarting proxy).
        ("https://login.microsoftonline.com", _refused(), "could not be reached"),
        # The sandbox is there but slow: retried as any timeout.
        ("http://127.0.0.1:8799", httpx.ReadTimeout("slow"), "timed out"),
        # Not a refusal (for example no route): retried.
        ("http://127.0.0.1:8799", httpx.ConnectError("unreachable"), "could not be reached"),
    ],
    ids=["remote-refused", "loopback-timeout", "loopback-other-connect-error"],
)
def test_everything_else_is_retried_as_before(
    authority: str, error: Exception, expected: str
) -> None:
    sleeps = SleepRecorder()
    with httpx.Client(transport=_raising(error)) as client:
        credential = ClientSecretCredential(
            tenant_id=TENANT,
            client_id=CLIENT_ID,
            client_secret=SECRET,
            authority=authority,
            max_retries=2,
            sync_client=client,
            _sleep=sleeps,
            _random=lambda: 1.0,
        )
        with pytest.raises(TokenEndpointError, match=expected) as caught:
            credential.get_token_sync(SCOPE)
    assert len(sleeps.delays) == 2
    assert "debtcore sandbox" not in caught.value.message
