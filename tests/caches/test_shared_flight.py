"""EntraAuth with a shared cache, against the sandbox on 127.0.0.1 (token requests counted there).

Two EntraAuth instances on one store stand for two processes: each has its own in-memory copy
and its own locks, so only the store connects them. Every test runs with both stores.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.support.caches import (
    CLIENT_SECRET,
    Clock,
    Recording,
    exception_texts,
    log_texts,
    make_auth,
    token,
    token_requests,
)

from alleviate_debtcore import AsyncDebtCore, ConfigurationError
from alleviate_debtcore.auth import (
    EntraAuth,
    FileTokenCache,
    RedisTokenCache,
    SharedTokenCache,
)
from alleviate_debtcore.credit import GetCreditReportInput
from alleviate_debtcore.errors import CredentialError, DebtCoreError, TokenCacheError
from alleviate_debtcore.sandbox import SandboxServer
from bench._redis_server import RedisServer

REPORT_ID = "cr-abc123def456"  # the sandbox's fixture report
CacheFactory = Callable[..., SharedTokenCache]


@pytest.fixture(params=["file", "redis"])
def new_cache(
    request: pytest.FixtureRequest, tmp_path: Path, redis_server: RedisServer, prefix: str
) -> Iterator[CacheFactory]:
    """Makes caches on one store: each call is another process's view of it."""
    made: list[RedisTokenCache] = []

    def factory(**options: Any) -> SharedTokenCache:
        if request.param == "file":
            return FileTokenCache(tmp_path / "tokens.json", **options)
        cache = RedisTokenCache.from_url(redis_server.url, prefix=prefix, **options)
        made.append(cache)
        return cache

    yield factory
    for cache in made:
        cache.close()


@pytest.fixture
def sandbox_server() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


async def test_a_second_process_uses_the_first_ones_token(
    sandbox_server: SandboxServer, new_cache: CacheFactory
) -> None:
    first = make_auth(sandbox_server, new_cache())
    second_cache = Recording(new_cache())
    second = make_auth(sandbox_server, second_cache)
    fetched = await first.get_token()
    assert await second.get_token() == fetched
    assert second.get_token_sync() == fetched
    assert token_requests(sandbox_server) == 1
    # Once it has the token, the process answers from memory, not from the store.
    calls = len(second_cache.calls)
    for _ in range(20):
        await second.get_token()
    assert len(second_cache.calls) == calls
    await first.aclose()
    await second.aclose()


def test_the_sync_flow_shares_too(sandbox_server: SandboxServer, new_cache: CacheFactory) -> None:
    first, second = make_auth(sandbox_server, new_cache()), make_auth(sandbox_server, new_cache())
    assert first.get_token_sync() == second.get_token_sync()
    assert token_requests(sandbox_server) == 1
    first.close()
    second.close()


async def test_a_waiting_process_takes_the_token_the_lock_holder_stores(
    sandbox_server: SandboxServer, new_cache: CacheFactory
) -> None:
    holder = new_cache()
    auth = make_auth(sandbox_server, new_cache())
    owner = await holder.alock(auth.cache_key)
    assert owner is not None
    waiting = asyncio.create_task(auth.get_token())
    await asyncio.sleep(0.3)
    assert not waiting.done()  # waiting for the holder, not fetching
    published = token("from-the-holder", now=time.time())
    await holder.asave(auth.cache_key, published)
    await holder.aunlock(auth.cache_key, owner)
    assert (await asyncio.wait_for(waiting, 10)).token == "from-the-holder"
    assert token_requests(sandbox_server) == 0


async def test_a_waiting_process_fetches_when_the_holder_releases_without_a_token(
    sandbox_server: SandboxServer, new_cache: CacheFactory
) -> None:
    holder = new_cache()
    auth = make_auth(sandbox_server, new_cache())
    owner = await holder.alock(auth.cache_key)
    assert owner is not None
    waiting = asyncio.create_task(auth.get_token())
    await asyncio.sleep(0.2)
    await holder.aunlock(auth.cache_key, owner)  # its fetch failed
    fetched = await asyncio.wait_for(waiting, 10)
    assert token_requests(sandbox_server) == 1
    assert await holder.aload(auth.cache_key) == fetched
    await auth.aclose()


async def test_a_lock_whose_holder_died_is_taken_over_when_it_expires(
    sandbox_server: SandboxServer, redis_server: RedisServer, prefix: str
) -> None:
    dead = RedisTokenCache.from_url(redis_server.url, prefix=prefix, lock_timeout=0.5)
    live = RedisTokenCache.from_url(redis_server.url, prefix=prefix, lock_timeout=0.5)
    auth = make_auth(sandbox_server, live)
    # What a holder that died leaves: its lock, which nobody renews or releases. The clock starts
    # before the lock is set: however long a busy machine takes between the two, the fetch
    # cannot come before the lock's 0.5 s are over.
    started = time.monotonic()
    redis.Redis.from_url(redis_server.url).set(
        dead.entry_name(auth.cache_key) + ":lock", "dead-holder", px=500
    )
    fetched = await asyncio.wait_for(auth.get_token(), 10)
    assert time.monotonic() - started >= 0.3
    assert token_requests(sandbox_server) == 1
    assert dead.load(auth.cache_key) == fetched
    await auth.aclose()
    await live.aclose()
    dead.close()


async def test_a_failed_refresh_leaves_the_valid_token_in_place_for_every_process(
    sandbox_server: SandboxServer, new_cache: CacheFactory, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock(time.time)
    first = make_auth(sandbox_server, new_cache(_clock=clock), _clock=clock)
    original = await first.get_token()
    clock.offset = original.refresh_on - time.time() + 1  # due, still valid
    assert original.is_due(clock()) and not original.is_expired(clock())
    sandbox_server.state.faults.token_failures = 2
    with caplog.at_level(logging.WARNING, logger="alleviate_debtcore.auth"):
        assert await first.get_token() == original
        # A cold process finds the due token in the store, fails to refresh it, and uses it.
        second = make_auth(sandbox_server, new_cache(_clock=clock), _clock=clock)
        assert await second.get_token() == original
    assert token_requests(sandbox_server) == 3
    assert await new_cache(_clock=clock).aload(first.cache_key) == original
    assert "token refresh failed" in log_texts(caplog.records)
    # The store's lock was released each time: the next refresh is not blocked.
    third = make_auth(sandbox_server, new_cache(_clock=clock), _clock=clock)
    refreshed = await third.get_token()
    assert refreshed.token != original.token
    assert token_requests(sandbox_server) == 4
    for auth in (first, second, third):
        await auth.aclose()


async def test_a_cold_process_gets_the_error_when_no_valid_token_exists(
    sandbox_server: SandboxServer, new_cache: CacheFactory
) -> None:
    sandbox_server.state.faults.token_failures = 1
    auth = make_auth(sandbox_server, new_cache())
    with pytest.raises(CredentialError):
        await auth.get_token()
    assert await auth.get_token()  # and the lock is free again
    await auth.aclose()


async def test_a_refused_token_leaves_the_store_and_every_process_moves_on(
    sandbox_server: SandboxServer, new_cache: CacheFactory
) -> None:
    cache = new_cache()
    async with AsyncDebtCore(
        client_id="local-client",
        client_secret=CLIENT_SECRET,
        environment=sandbox_server.environment,
        token_cache=cache,
    ) as debtcore:
        report = GetCreditReportInput(credit_report_id=REPORT_ID)
        await debtcore.credit.credit_report(input=report)
        assert isinstance(debtcore.auth, EntraAuth)
        key = debtcore.auth.cache_key
        revoked = await cache.aload(key)
        assert revoked is not None
        sandbox_server.state.tokens.revoke_all()
        await debtcore.credit.credit_report(input=report)  # 401, new token, replayed
        replacement = await cache.aload(key)
        assert replacement is not None and replacement.token != revoked.token
    assert token_requests(sandbox_server) == 2


def test_token_cache_goes_with_client_credentials_not_with_auth(new_cache: CacheFactory) -> None:
    with pytest.raises(ConfigurationError, match="token_cache"):
        AsyncDebtCore(auth=httpx.BasicAuth("a", "b"), token_cache=new_cache())


async def test_a_process_that_cannot_reach_the_store_fetches_its_own_token(
    sandbox_server: SandboxServer, own_redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    cache = RedisTokenCache.from_url(own_redis_server.url, socket_timeout=1.0)
    own_redis_server.kill()
    auth = make_auth(sandbox_server, cache)
    with caplog.at_level(logging.DEBUG, logger="alleviate_debtcore.auth"):
        fetched = await auth.get_token()
        assert auth.get_token_sync() == fetched
    assert token_requests(sandbox_server) == 1
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # once per outage, not once per operation
    assert "RedisTokenCache failed" in warnings[0].getMessage()
    assert fetched.token not in log_texts(caplog.records)
    await auth.aclose()
    await cache.aclose()


def _tokens_in(texts: str, tokens: set[str]) -> set[str]:
    return {value for value in tokens if value in texts}


async def test_redis_killed_mid_run_every_call_succeeds_or_raises_a_debtcore_error(
    short_lived_sandbox: SandboxServer,
    own_redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Tokens live 4 s (refreshed every ~2 s); Redis dies 2.5 s into a 7 s run of calls."""
    server = short_lived_sandbox
    cache = RedisTokenCache.from_url(own_redis_server.url, socket_timeout=1.0)
    seen_tokens: set[str] = set()
    outcomes: list[BaseException | None] = []
    tokens_at_kill = 0
    caplog.set_level(logging.DEBUG, logger="alleviate_debtcore")
    async with AsyncDebtCore(
        client_id="local-client",
        client_secret=CLIENT_SECRET,
        environment=server.environment,
        token_cache=cache,
    ) as debtcore:
        assert isinstance(debtcore.auth, EntraAuth)
        auth = debtcore.auth
        report = GetCreditReportInput(credit_report_id=REPORT_ID)

        async def call() -> None:
            try:
                await debtcore.credit.credit_report(input=report)
            except Exception as exc:
                outcomes.append(exc)
            else:
                outcomes.append(None)

        started = time.monotonic()
        while time.monotonic() - started < 7.0:
            if own_redis_server.running and time.monotonic() - started >= 2.5:
                tokens_at_kill = token_requests(server)
                own_redis_server.kill()
            await asyncio.gather(*(call() for _ in range(10)))
            seen_tokens.add((await auth.get_token()).token)
            await asyncio.sleep(0.05)
    await cache.aclose()
    failures = [exc for exc in outcomes if exc is not None]
    assert all(isinstance(exc, DebtCoreError) for exc in failures), failures
    assert len(outcomes) >= 100 and len(failures) <= len(outcomes) // 10
    assert tokens_at_kill >= 1
    assert token_requests(server) > tokens_at_kill  # refreshed without Redis
    texts = log_texts(caplog.records)
    assert "RedisTokenCache failed" in texts
    assert not _tokens_in(texts, seen_tokens)
    assert not any(CLIENT_SECRET in str(exc) for exc in failures)


async def test_no_token_or_secret_in_cache_keys_logs_or_errors(
    sandbox_server: SandboxServer,
    new_cache: CacheFactory,
    redis_server: RedisServer,
    prefix: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="alleviate_debtcore")
    cache = new_cache()
    auth = make_auth(sandbox_server, cache)
    tokens = {(await auth.get_token()).token}
    sandbox_server.state.tokens.revoke_all()
    async with httpx.AsyncClient(auth=auth) as http:  # a 401, a refresh through the cache
        url = sandbox_server.environment.url("credit")
        response = await http.post(url, json={"query": "{ __typename }"})
    assert response.status_code == 200
    tokens.add((await auth.get_token()).token)
    assert len(tokens) == 2
    # A cache that fails: its error is logged, the call still gets a token.
    broken = FileTokenCache(tmp_path / "a-file" / "tokens.json")
    (tmp_path / "a-file").write_text("in the way")
    assert await make_auth(sandbox_server, broken).get_token()
    errors: list[BaseException] = []
    try:
        await broken.asave(auth.cache_key, token(next(iter(tokens)), now=time.time()))
    except TokenCacheError as exc:
        errors.append(exc)
    assert errors
    # Everything a cache names or says.
    redis_keys = redis.Redis.from_url(redis_server.url).keys("*")
    names = " ".join(key.decode() for key in redis_keys)
    names += " ".join(path.name for path in tmp_path.iterdir())
    if (tmp_path / "tokens.json").exists():
        names += " ".join(json.loads((tmp_path / "tokens.json").read_text())["entries"])
    texts = "\n".join(
        [names, log_texts(caplog.records), repr(auth), repr(cache)]
        + [exception_texts(exc) for exc in errors]
    )
    assert "token cache FileTokenCache failed" in texts
    for secret in (*tokens, CLIENT_SECRET, "local-client", sandbox_server.state.tokens.tenant_id):
        assert secret not in names
    for secret in (*tokens, CLIENT_SECRET):
        assert secret not in texts
    await auth.aclose()


async def test_a_cancelled_fetch_releases_the_lock(
    sandbox_server: SandboxServer, new_cache: CacheFactory
) -> None:
    auth = make_auth(sandbox_server, new_cache())
    other_process = new_cache()
    sandbox_server.state.faults.latency = 1.0
    fetching = asyncio.create_task(auth.get_token())
    await asyncio.sleep(0.5)
    assert await other_process.alock(auth.cache_key) is None  # held by the fetch
    fetching.cancel()
    with pytest.raises(asyncio.CancelledError):
        await fetching
    owner = await other_process.alock(auth.cache_key)
    assert owner is not None
    await other_process.aunlock(auth.cache_key, owner)
    await auth.aclose()
