"""RedisTokenCache against a real redis-server: entries, TTL, encryption, the lock, failures."""

from __future__ import annotations

import asyncio
import os
import time

import pytest
import redis
import redis.asyncio

from tests.support.caches import (
    CLIENT_ID,
    KEY,
    OTHER_KEY,
    SCOPE,
    TENANT,
    TOKEN_VALUE,
    exception_texts,
    token,
)

from alleviate_debtcore.auth import RedisTokenCache, SharedTokenCache
from alleviate_debtcore.auth._cache import hashed_cache_key
from alleviate_debtcore.errors import ConfigurationError, DebtCoreError, TokenCacheError
from bench._redis_server import RedisServer


@pytest.fixture
def client(redis_server: RedisServer) -> redis.Redis:
    return redis.Redis.from_url(redis_server.url)


def test_a_saved_token_loads_back_under_a_hashed_key_with_its_remaining_life_as_ttl(
    client: redis.Redis, prefix: str
) -> None:
    cache = RedisTokenCache(client, prefix=prefix)
    assert isinstance(cache, SharedTokenCache)
    assert cache.load(KEY) is None
    saved = token(now=time.time(), life=600)
    cache.save(KEY, saved)
    assert RedisTokenCache(client, prefix=prefix).load(KEY) == saved
    assert cache.load(OTHER_KEY) is None
    name = prefix + hashed_cache_key(KEY)
    assert client.keys(prefix + "*") == [name.encode()]
    assert 590_000 <= client.pttl(name) <= 600_000
    for revealing in (TENANT, CLIENT_ID, SCOPE, TOKEN_VALUE):
        assert revealing not in name


def test_an_expired_token_is_not_stored(client: redis.Redis, prefix: str) -> None:
    cache = RedisTokenCache(client, prefix=prefix)
    cache.save(KEY, token(now=time.time(), life=-1))
    assert client.keys(prefix + "*") == []


async def test_asyncio_client(redis_server: RedisServer, prefix: str) -> None:
    async_client = redis.asyncio.Redis.from_url(redis_server.url)
    cache = RedisTokenCache(async_client, prefix=prefix)
    saved = token(now=time.time())
    await cache.asave(KEY, saved)
    assert await cache.aload(KEY) == saved
    owner = await cache.alock(KEY)
    assert owner is not None and await cache.alock(KEY) is None
    await cache.aunlock(KEY, owner)
    assert await cache.alock(KEY) is not None
    await cache.adiscard(KEY, saved)
    assert await cache.aload(KEY) is None
    with pytest.raises(ConfigurationError, match="only an asyncio client"):
        cache.load(KEY)
    await async_client.aclose()


async def test_a_sync_client_serves_the_async_methods_from_a_thread(
    client: redis.Redis, prefix: str
) -> None:
    cache = RedisTokenCache(client, prefix=prefix)
    saved = token(now=time.time())
    await cache.asave(KEY, saved)
    assert cache.load(KEY) == saved
    assert await cache.aload(KEY) == saved


async def test_from_url_serves_both_flows_and_closes_its_clients(
    redis_server: RedisServer, prefix: str
) -> None:
    cache = RedisTokenCache.from_url(redis_server.url, prefix=prefix)
    saved = token(now=time.time())
    cache.save(KEY, saved)
    assert await cache.aload(KEY) == saved
    await cache.aclose()
    assert "127.0.0.1" not in repr(cache)


def test_from_url_errors_do_not_quote_the_password() -> None:
    with pytest.raises(ConfigurationError) as caught:
        RedisTokenCache.from_url("http://:hunter2-password@localhost:6379")
    assert "hunter2-password" not in exception_texts(caught.value)


def test_the_client_must_be_a_redis_client() -> None:
    with pytest.raises(ConfigurationError):
        RedisTokenCache("redis://localhost")  # type: ignore[arg-type]


def test_discard_removes_only_the_refused_token(client: redis.Redis, prefix: str) -> None:
    cache = RedisTokenCache(client, prefix=prefix)
    now = time.time()
    cache.save(KEY, token("current", now=now))
    cache.discard(KEY, token("older", now=now))
    assert cache.load(KEY) == token("current", now=now)
    cache.discard(KEY, token("current", now=now))
    assert cache.load(KEY) is None


def test_the_lock_is_exclusive_released_only_by_its_owner_and_expires(
    redis_server: RedisServer, client: redis.Redis, prefix: str
) -> None:
    cache = RedisTokenCache(client, prefix=prefix, lock_timeout=0.3)
    other_process = RedisTokenCache.from_url(redis_server.url, prefix=prefix, lock_timeout=0.3)
    owner = cache.lock(KEY)
    assert owner is not None
    assert other_process.lock(KEY) is None
    assert other_process.lock(OTHER_KEY) is not None  # one lock per entry
    other_process.unlock(KEY, "not-the-owner")
    assert other_process.lock(KEY) is None
    lock_name = prefix + hashed_cache_key(KEY) + ":lock"
    assert 0 < client.pttl(lock_name) <= 300
    cache.unlock(KEY, owner)
    # A holder that died leaves its lock as this, with nobody renewing it: it expires (1.5 s:
    # long enough that a busy machine cannot let it expire before the next line looks).
    client.set(lock_name, "dead-holder", px=1500)
    assert other_process.lock(KEY) is None
    taken_over = None
    budget = time.monotonic() + 30  # generous: expiry is Redis's, at 1.5 s
    while taken_over is None and time.monotonic() < budget:
        time.sleep(0.05)
        taken_over = other_process.lock(KEY)
    assert taken_over is not None
    cache.unlock(KEY, "dead-holder")  # a late release by the dead owner frees nothing
    assert cache.lock(KEY) is None
    other_process.unlock(KEY, taken_over)
    assert cache.lock(KEY) is not None


def test_encrypted_entries_are_unreadable_without_the_key(client: redis.Redis, prefix: str) -> None:
    key = os.urandom(32)
    cache = RedisTokenCache(client, prefix=prefix, encryption_key=key)
    saved = token(now=time.time())
    cache.save(KEY, saved)
    name = prefix + hashed_cache_key(KEY)
    raw = client.get(name)
    assert isinstance(raw, bytes)
    for piece in (TOKEN_VALUE, "cached-token-payload", "expires_on", "refresh_on"):
        assert piece.encode() not in raw
    assert cache.load(KEY) == saved
    assert RedisTokenCache(client, prefix=prefix).load(KEY) is None  # no key
    assert RedisTokenCache(client, prefix=prefix, encryption_key=os.urandom(32)).load(KEY) is None
    # Bound to its name: the same bytes under another entry's name do not open.
    client.set(prefix + hashed_cache_key(OTHER_KEY), raw)
    assert cache.load(OTHER_KEY) is None
    # A plain entry is not trusted by a cache that expects sealed ones, nor the reverse.
    RedisTokenCache(client, prefix=prefix).save(OTHER_KEY, saved)
    assert cache.load(OTHER_KEY) is None
    assert "encrypted=True" in repr(cache)


def test_a_client_that_decodes_responses_reads_sealed_entries(
    redis_server: RedisServer, prefix: str
) -> None:
    key = os.urandom(32)
    decoding = redis.Redis.from_url(redis_server.url, decode_responses=True)
    cache = RedisTokenCache(decoding, prefix=prefix, encryption_key=key)
    saved = token(now=time.time())
    cache.save(KEY, saved)
    assert cache.load(KEY) == saved


@pytest.mark.parametrize("bad", [b"short", "a string, not bytes"])
def test_the_encryption_key_must_be_32_bytes(client: redis.Redis, bad: object) -> None:
    with pytest.raises(ConfigurationError, match="32 random bytes"):
        RedisTokenCache(client, encryption_key=bad)  # type: ignore[arg-type]


async def test_an_unreachable_server_raises_token_cache_error_without_the_password(
    own_redis_server: RedisServer, prefix: str
) -> None:
    url = f"redis://:pw-do-not-print@127.0.0.1:{own_redis_server.port}/0"
    own_redis_server.kill()
    cache = RedisTokenCache.from_url(url, prefix=prefix, socket_timeout=1.0)
    for operation in (
        lambda: cache.load(KEY),
        lambda: cache.save(KEY, token(now=time.time())),
        lambda: cache.lock(KEY),
    ):
        with pytest.raises(TokenCacheError) as caught:
            operation()
        assert isinstance(caught.value, DebtCoreError)
        assert "pw-do-not-print" not in exception_texts(caught.value)
    with pytest.raises(TokenCacheError):
        await cache.aload(KEY)
    with pytest.raises(TokenCacheError):
        await asyncio.wait_for(cache.alock(KEY), 10)
    await cache.aclose()
