"""Cache keys name the principal, never the object (issue 21): Python reuses ids, so keys built
on id(credential) handed one tenant's token to the next client over a shared cache.

The credentials are azure-identity's own classes (their identity is read from them); only their
token call is replaced, by one that answers with a token naming the credential's own client, so
every request shows whose token it carries. Requests go to an in-process httpx.MockTransport."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from azure.identity import ClientSecretCredential, DefaultAzureCredential

from tests.support.caches import SCOPE

from alleviate_debtcore import ConfigurationError, DebtCore
from alleviate_debtcore.auth import EntraAuth, FileTokenCache, InMemoryTokenCache, TokenCache
from alleviate_debtcore.sandbox import SandboxServer

ROUNDS = 20
# A forked worker's whole run (import-free: it only fetches from the mock); generous.
CHILD_BUDGET = 60.0


class _Info:  # azure.core.credentials.AccessTokenInfo's fields
    def __init__(self, token: str) -> None:
        self.token = token
        self.expires_on = int(time.time()) + 3600
        self.refresh_on = None


def tenant_credential(n: int) -> ClientSecretCredential:
    """azure-identity's ClientSecretCredential for tenant ``n``, answering with its own token."""
    credential = ClientSecretCredential(f"tenant-{n}", f"client-{n}", f"secret-{n}")
    issued = f"token-of-client-{n}"

    def get_token_info(*scopes: str, options: Any = None) -> _Info:
        assert scopes == (SCOPE,)
        return _Info(issued)

    credential.get_token_info = get_token_info  # type: ignore[method-assign]
    return credential


def _echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"authorization": request.headers["Authorization"]})


def _sent_token(auth: EntraAuth) -> str:
    """The bearer token one request through ``auth`` carries."""
    with httpx.Client(auth=auth, transport=httpx.MockTransport(_echo)) as client:
        header: str = client.post("https://api.test/graphql", json={}).json()["authorization"]
    return header.removeprefix("Bearer ")


def _one_client(n: int, cache: FileTokenCache) -> str:
    # Everything made here is dropped on return: the next credential may reuse its id.
    return _sent_token(EntraAuth(tenant_credential(n), scope=SCOPE, cache=cache))


def test_twenty_sequential_clients_each_send_their_own_token(tmp_path: Path) -> None:
    cache = FileTokenCache(tmp_path / "tokens.json")
    sent = []
    for n in range(ROUNDS):
        sent.append(_one_client(n, cache))
        gc.collect()
    assert sent == [f"token-of-client-{n}" for n in range(ROUNDS)]
    # ... and a later client for an identity already cached is served from the file.
    assert _one_client(3, cache) == "token-of-client-3"


def test_two_clients_alive_at_once_each_send_their_own_token(tmp_path: Path) -> None:
    cache = FileTokenCache(tmp_path / "tokens.json")
    first = EntraAuth(tenant_credential(1), scope=SCOPE, cache=cache)
    second = EntraAuth(tenant_credential(2), scope=SCOPE, cache=cache)
    for _ in range(3):
        assert _sent_token(first) == "token-of-client-1"
        assert _sent_token(second) == "token-of-client-2"
    assert first.cache_key != second.cache_key


def test_forked_workers_with_different_identities_each_send_their_own_token(
    tmp_path: Path,
) -> None:
    cache = FileTokenCache(tmp_path / "tokens.json")
    workers = 4
    # Every worker is forked from the same state, then runs alone in turn: each builds its
    # credential where its siblings built theirs, as prefork workers do.
    pipes = [(os.pipe(), os.pipe()) for _ in range(workers)]
    pids = []
    for n, ((go_read, _), (_, result_write)) in enumerate(pipes):
        pid = os.fork()
        if pid == 0:  # the worker: wait for its turn, report its token, never return to pytest
            try:
                os.read(go_read, 1)
                report = _one_client(n, cache)
            except BaseException as exc:
                report = f"failed: {type(exc).__name__}"
            finally:
                os.write(result_write, report.encode())
                os._exit(0)
        pids.append(pid)
    sent = []
    try:
        for (_, go_write), (result_read, _) in (pair for pair in pipes):
            os.write(go_write, b"x")
            # One short write (atomic on a pipe), waited for within a generous budget; not read
            # to EOF, as the siblings hold its write end too.
            readable, _, _ = select.select([result_read], [], [], CHILD_BUDGET)
            assert readable, f"a worker did not answer within {CHILD_BUDGET:.0f} s"
            sent.append(os.read(result_read, 4096).decode())
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        for pair in pipes:
            for fd in (*pair[0], *pair[1]):
                os.close(fd)
    assert sent == [f"token-of-client-{n}" for n in range(workers)]


def test_the_key_names_authority_tenant_and_client_but_no_secret() -> None:
    auth = EntraAuth(tenant_credential(7), scope=SCOPE, cache=InMemoryTokenCache())
    parts = json.loads(auth.cache_key)
    assert parts == [
        "azure-core",
        "azure.identity.ClientSecretCredential",
        "https://login.microsoftonline.com",
        "tenant-7",
        "client-7",
        SCOPE,
    ]
    assert "secret-7" not in auth.cache_key
    # Another object for the same principal shares the entry; the object's id plays no part.
    assert EntraAuth(tenant_credential(7), scope=SCOPE).cache_key == auth.cache_key


class _Anonymous:
    """A credential that does not say whose it is (like DefaultAzureCredential)."""

    def get_token_info(self, *scopes: str, options: Any = None) -> _Info:
        return _Info("anonymous-token")


@pytest.mark.parametrize("make_cache", ["file", "memory"])
def test_a_credential_without_identity_needs_token_cache_key_with_a_given_cache(
    tmp_path: Path, make_cache: str
) -> None:
    cache: FileTokenCache | TokenCache = (
        FileTokenCache(tmp_path / "tokens.json") if make_cache == "file" else InMemoryTokenCache()
    )
    for credential in (_Anonymous(), DefaultAzureCredential()):
        with pytest.raises(ConfigurationError, match="token_cache_key="):
            EntraAuth(credential, scope=SCOPE, cache=cache)
    keyed = EntraAuth(_Anonymous(), scope=SCOPE, cache=cache, cache_key="partner-a")
    assert "partner-a" in keyed.cache_key
    assert _sent_token(keyed) == "anonymous-token"
    other = EntraAuth(_Anonymous(), scope=SCOPE, cache=cache, cache_key="partner-b")
    assert other.cache_key != keyed.cache_key


def test_without_a_given_cache_each_unidentified_adapter_has_its_own_key() -> None:
    credential = _Anonymous()
    keys = {EntraAuth(credential, scope=SCOPE).cache_key for _ in range(50)}
    assert len(keys) == 50
    assert not any(hex(id(credential)) in key for key in keys)


def test_a_user_key_never_merges_two_identified_principals() -> None:
    first = EntraAuth(tenant_credential(1), scope=SCOPE, cache_key="prod")
    second = EntraAuth(tenant_credential(2), scope=SCOPE, cache_key="prod")
    assert first.cache_key != second.cache_key


@pytest.mark.parametrize("bad", ["", "   ", 5, b"key"])
def test_token_cache_key_must_be_a_non_empty_string(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="token_cache_key"):
        EntraAuth(_Anonymous(), scope=SCOPE, cache_key=bad)  # type: ignore[arg-type]


def test_the_clients_pass_token_cache_key_through(tmp_path: Path, sandbox: SandboxServer) -> None:
    cache = FileTokenCache(tmp_path / "tokens.json")
    with pytest.raises(ConfigurationError, match="token_cache_key="):
        DebtCore(credential=_Anonymous(), token_cache=cache, environment=sandbox.environment)
    with DebtCore(
        credential=_Anonymous(),
        token_cache=cache,
        token_cache_key="partner-a",
        environment=sandbox.environment,
    ) as client:
        assert isinstance(client.auth, EntraAuth) and "partner-a" in client.auth.cache_key
    with pytest.raises(ConfigurationError, match="token_cache"):
        DebtCore(auth=client.auth, token_cache_key="partner-a")
