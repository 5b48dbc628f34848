"""azure-core credentials given to EntraAuth as they are: refresh timing and 401 replay
(issue 13), with fakes shaped like azure-identity's (the real library is tested against the
sandbox in test_microsoft_libraries.py)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.entra import API_URL, SCOPE, T0, FakeApi, FakeClock

from alleviate_debtcore.auth import AzureCredentialAdapter, EntraAuth
from alleviate_debtcore.auth._azure import credential_identity
from alleviate_debtcore.errors import ConfigurationError, CredentialError


@dataclass
class TokenInfo:  # azure.core.credentials.AccessTokenInfo's fields
    token: str
    expires_on: int
    refresh_on: int | None = None


class FakeAzureCredential:
    """Like azure-identity: a cache that returns the same token until the refresh window (or a
    claims challenge) makes it fetch a new one."""

    def __init__(self, clock: FakeClock, *, lifetime: int = 3600, refresh_in: int | None = None):
        self.clock = clock
        self.lifetime = lifetime
        self.refresh_in = refresh_in
        self.calls: list[dict[str, Any] | None] = []
        self.issued = 0
        self.current: TokenInfo | None = None

    def _new(self) -> TokenInfo:
        self.issued += 1
        now = int(self.clock())
        refresh_on = now + self.refresh_in if self.refresh_in else None
        return TokenInfo(f"azure-{self.issued}", now + self.lifetime, refresh_on)

    def get_token_info(self, *scopes: str, options: dict[str, Any] | None = None) -> TokenInfo:
        assert scopes == (SCOPE,)
        self.calls.append(options)
        now = self.clock()
        current = self.current
        stale = current is None or (
            (current.refresh_on is not None and now >= current.refresh_on)
            or current.expires_on - now < 300
        )
        if stale or (options and options.get("claims")):
            self.current = current = self._new()
        assert current is not None
        return current


class FakeAsyncAzureCredential(FakeAzureCredential):
    async def get_token_info(  # type: ignore[override]
        self, *scopes: str, options: dict[str, Any] | None = None
    ) -> TokenInfo:
        return FakeAzureCredential.get_token_info(self, *scopes, options=options)


def test_refresh_waits_for_the_credentials_own_window() -> None:
    clock = FakeClock()
    azure = FakeAzureCredential(clock)
    auth = EntraAuth(azure, scope=SCOPE, _clock=clock, _jitter=lambda: 30.0)
    first = auth.get_token_sync()
    assert first.token == "azure-1"
    # EntraAuth's own margin (300 s + jitter) would refresh at 3600 - 330 s, when azure-identity
    # still hands back the cached token; it waits for azure's window (300 s left) plus jitter.
    assert first.refresh_on == clock.now + 3600 - 300 + 30
    clock.advance(3600 - 320)  # past where EntraAuth's own margin would have refreshed
    assert auth.get_token_sync().token == "azure-1"
    assert len(azure.calls) == 1
    clock.advance(50)  # azure's window (300 s left) plus the 30 s jitter
    assert auth.get_token_sync().token == "azure-2"
    assert azure.issued == 2 and len(azure.calls) == 2


def test_refresh_on_from_the_credential_is_respected() -> None:
    clock = FakeClock()
    azure = FakeAzureCredential(clock, lifetime=86400, refresh_in=43200)
    auth = EntraAuth(azure, scope=SCOPE, _clock=clock, _jitter=lambda: 0.0)
    assert auth.get_token_sync().refresh_on == clock.now + 43200
    clock.advance(43200)
    assert auth.get_token_sync().token == "azure-2"


def test_the_same_token_back_is_not_logged_as_a_refresh(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="alleviate_debtcore.auth")

    class StickyCredential:  # hands back its one token whenever asked
        calls = 0

        def get_token_info(self, *scopes: str, options: object = None) -> TokenInfo:
            self.calls += 1
            return TokenInfo("sticky", int(T0) + 3600)

    clock = FakeClock()
    sticky = StickyCredential()
    auth = EntraAuth(sticky, scope=SCOPE, _clock=clock, _jitter=lambda: 0.0)
    assert auth.get_token_sync().token == "sticky"
    clock.advance(3400)  # due: asks, and gets the same token back
    assert auth.get_token_sync().token == "sticky"
    assert sticky.calls == 2
    assert "returned the current token again" in caplog.text
    assert "refreshed token" not in caplog.text
    clock.advance(10)  # within the 30 s back-off: not asked on every request
    assert auth.get_token_sync().token == "sticky"
    assert sticky.calls == 2
    clock.advance(25)
    auth.get_token_sync()
    assert sticky.calls == 3


async def test_a_401_gets_a_token_that_bypasses_the_credentials_cache(
    httpx_mock: HTTPXMock,
) -> None:
    api = FakeApi("azure-1")
    httpx_mock.add_callback(api.async_call, url=API_URL, is_reusable=True)
    clock = FakeClock()
    azure = FakeAsyncAzureCredential(clock)
    async with httpx.AsyncClient(auth=EntraAuth(azure, scope=SCOPE, _clock=clock)) as client:
        response = await client.post(API_URL, json={"query": "{ a }"})
        assert response.status_code == 200
        await client.post(API_URL, json={"query": "{ b }"})
    assert api.tokens == ["azure-1", "azure-2", "azure-2"]
    assert azure.calls[0] is None
    challenge = json.loads(azure.calls[1]["claims"])  # type: ignore[index]
    assert challenge["access_token"]["nbf"]["essential"] is True
    assert len(azure.calls) == 2  # the challenge is used once, not on every later fetch


def test_sync_credential_with_get_token_only(httpx_mock: HTTPXMock) -> None:
    class LegacyCredential:  # azure-core TokenCredential before get_token_info
        def __init__(self) -> None:
            self.kwargs: list[dict[str, Any]] = []

        def get_token(self, *scopes: str, **kwargs: Any) -> TokenInfo:
            self.kwargs.append(kwargs)
            return TokenInfo(f"legacy-{len(self.kwargs)}", 4_000_000_000)

    api = FakeApi("legacy-1")
    httpx_mock.add_callback(api, url=API_URL, is_reusable=True)
    legacy = LegacyCredential()
    with httpx.Client(auth=EntraAuth(legacy, scope=SCOPE)) as client:
        assert client.post(API_URL, json={}).status_code == 200
    assert api.tokens == ["legacy-1", "legacy-2"]
    assert legacy.kwargs[0] == {} and "claims" in legacy.kwargs[1]


def test_an_async_credential_in_a_sync_client_is_a_clear_error() -> None:
    auth = EntraAuth(FakeAsyncAzureCredential(FakeClock()), scope=SCOPE)
    with pytest.raises(ConfigurationError, match="async credential"):
        auth.get_token_sync()


def test_adapter_repr_and_refusal() -> None:
    adapter = AzureCredentialAdapter(FakeAzureCredential(FakeClock()))
    assert repr(adapter) == "AzureCredentialAdapter(FakeAzureCredential)"
    with pytest.raises(ConfigurationError, match="get_token"):
        AzureCredentialAdapter(object())


def test_identity_is_read_from_azure_identitys_own_classes(tmp_path: Path) -> None:
    from azure.identity import (
        CertificateCredential,
        ClientAssertionCredential,
        ClientSecretCredential,
        DefaultAzureCredential,
        ManagedIdentityCredential,
        OnBehalfOfCredential,
        WorkloadIdentityCredential,
        aio,
    )

    from tests.support.certificates import ClientCertificate

    pem = ClientCertificate("identity").write_pem(tmp_path / "client.pem")
    token_file = tmp_path / "token"
    token_file.write_text("assertion")
    tenant, client = "Tenant-A", "client-a"
    app = ("https://login.microsoftonline.com", "tenant-a", client)
    cases: list[tuple[object, tuple[str, ...] | None]] = [
        (
            ClientSecretCredential(tenant, client, "s3cret"),
            ("azure.identity.ClientSecretCredential", *app),
        ),
        (
            ClientSecretCredential(tenant, client, "s3cret", authority="login.microsoftonline.us"),
            (
                "azure.identity.ClientSecretCredential",
                "https://login.microsoftonline.us",
                "tenant-a",
                client,
            ),
        ),
        (
            CertificateCredential(tenant, client, str(pem)),
            ("azure.identity.CertificateCredential", *app),
        ),
        (
            ClientAssertionCredential(tenant, client, lambda: "a"),
            ("azure.identity.ClientAssertionCredential", *app),
        ),
        (
            WorkloadIdentityCredential(
                tenant_id=tenant, client_id=client, token_file_path=str(token_file)
            ),
            ("azure.identity.WorkloadIdentityCredential", *app),
        ),
        (
            aio.ClientSecretCredential(tenant, client, "s3cret"),
            ("azure.identity.aio.ClientSecretCredential", *app),
        ),
        (
            ManagedIdentityCredential(client_id="mi-client"),
            ("azure.identity.ManagedIdentityCredential", "managed-identity", "client_id=mi-client"),
        ),
        (
            aio.ManagedIdentityCredential(client_id="mi-client"),
            (
                "azure.identity.aio.ManagedIdentityCredential",
                "managed-identity",
                "client_id=mi-client",
            ),
        ),
        # Not identifiable: the host's identity, a chain, a user's assertion.
        (ManagedIdentityCredential(), None),
        (DefaultAzureCredential(), None),
        (OnBehalfOfCredential(tenant, client, client_secret="s3cret", user_assertion="user"), None),
        (FakeAzureCredential(FakeClock()), None),
    ]
    for credential, expected in cases:
        assert credential_identity(credential) == expected, type(credential).__name__
        assert "s3cret" not in repr(credential_identity(credential))


def test_a_token_that_cannot_be_sent_is_a_credential_error_that_does_not_quote_it() -> None:
    class Injecting:
        def get_token_info(self, *scopes: str, options: object = None) -> TokenInfo:
            return TokenInfo("abc\r\nX-Evil: 1", int(T0) + 3600)

    with pytest.raises(CredentialError) as caught:
        EntraAuth(Injecting(), scope=SCOPE, _clock=FakeClock()).get_token_sync()
    assert "X-Evil" not in str(caught.value) and "HTTP header" in str(caught.value)
