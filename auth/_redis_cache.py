"""``RedisTokenCache``: one token for every process and machine that shares a Redis server."""

from __future__ import annotations

import asyncio
import math
import threading
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NoReturn, Self, TypeVar

from alleviate_debtcore._deadline import wait_budget
from alleviate_debtcore._fork import on_fork_in_child
from alleviate_debtcore.errors import ConfigurationError, TokenCacheError

from ._cache import hashed_cache_key
from ._token import AccessToken
from ._token_codec import TokenCodec

if TYPE_CHECKING:
    import redis
    import redis.asyncio

__all__ = ["RedisTokenCache"]

T = TypeVar("T")

DEFAULT_PREFIX = "debtcore:token:"
# How long the refresh lock outlives a holder that stops renewing it (died, or stalled): a live
# holder renews it every third of this while it fetches, so it need not cover a slow fetch.
DEFAULT_LOCK_TIMEOUT = 10.0
# A holder renews for at most its call's time left, and this long without a call deadline.
_HOLD_MAX = 120.0
# from_url's socket timeouts: a Redis that stops answering costs at most this per operation
# before EntraAuth falls back to fetching its own token.
DEFAULT_SOCKET_TIMEOUT = 2.0

# Delete only what we wrote: the lock of its owner, the entry that still holds a refused token.
_DELETE_IF_EQUAL = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
# Extend the lock only while its owner still holds it.
_RENEW_IF_EQUAL = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)
# Objects a forked child inherited (asyncio clients on the parent's loop, renewal tasks): kept
# referenced, so that no finalizer closes a socket the parent still uses.
_INHERITED: list[object] = []


class RedisTokenCache:
    """A :class:`~alleviate_debtcore.auth.SharedTokenCache` in Redis: for many machines (pods,
    serverless functions) sharing one token per identity and scope.

    ``client`` is a ``redis.Redis`` or a ``redis.asyncio.Redis`` (the other flow then runs the
    sync client in a thread, or is unavailable with only an async client); ``from_url`` builds
    both. Entries live under ``prefix`` + SHA-256 of tenant, client id and scope, with a TTL equal
    to the token's remaining life. Refreshes are single flight across processes: a lock key set
    with ``SET NX PX lock_timeout`` and deleted only by its owner; the others wait for the new
    entry or take over when the lock expires. A failed refresh leaves the stored token in place.

    The lock's bound: its holder renews it (every ``lock_timeout / 3``, from a thread or a task)
    while it fetches, for at most its own call's time left. A holder that dies or stalls stops
    renewing, and the lock expires ``lock_timeout`` (default 10 s) later; a waiting call never
    waits past its own deadline, and then raises
    :class:`~alleviate_debtcore.errors.TokenWaitTimeoutError` naming the lock.

    Entries are checked on read: a token that could not go in a header (CR/LF, empty, over
    16 KiB) is a miss, replaced by a fresh fetch. Whoever can write the keys can still make this
    client send their own well-formed token: use ``encryption_key`` if writers are not trusted.

    After ``os.fork()`` the child drops ``from_url``'s asyncio clients (redis-py's sync pools
    reconnect in a child by themselves); an asyncio client you passed in is not used in a child
    (a ``TokenCacheError``: the process fetches its own token): create the cache in each worker.

    ``encryption_key`` (32 random bytes) seals entries with AES-256-GCM: whoever reads Redis
    without the key cannot use them (``pip install 'alleviate-debtcore[cache-encryption]'``).
    Without it, anyone who can read the Redis keys can call the API as your client until the
    token expires. Needs ``pip install 'alleviate-debtcore[redis]'``.
    """

    def __init__(
        self,
        client: redis.Redis | redis.asyncio.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        encryption_key: bytes | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        _clock: Callable[[], float] = time.time,
    ) -> None:
        sync_class, async_class = _redis_classes()
        self._sync: redis.Redis | None = None
        self._async: redis.asyncio.Redis | None = None
        if isinstance(client, async_class):
            self._async = client
        elif isinstance(client, sync_class):  # pyright: ignore[reportUnnecessaryIsInstance]
            self._sync = client
        else:
            raise ConfigurationError(
                f"client must be a redis.Redis or redis.asyncio.Redis, not {type(client).__name__}"
            )
        if not _positive_seconds(lock_timeout):
            raise ConfigurationError("lock_timeout must be a positive, finite number of seconds")
        if not isinstance(prefix, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ConfigurationError(f"prefix must be a str, not {type(prefix).__name__}")
        self._prefix = prefix
        self._codec = TokenCodec(encryption_key)
        self._lock_ms = math.ceil(lock_timeout * 1000)
        self._clock = _clock
        self._async_factory: Callable[[], redis.asyncio.Redis] | None = None
        # from_url's asyncio clients: a connection pool belongs to the loop that opened it.
        self._loop_clients: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, redis.asyncio.Redis
        ] = weakref.WeakKeyDictionary()
        self._loop_guard = threading.Lock()
        self._owns_clients = False
        # Owners of locks this process holds -> what stops their renewal (an Event or a Task).
        self._renewals: dict[str, threading.Event | asyncio.Task[None]] = {}
        self._forked = False
        on_fork_in_child(self, RedisTokenCache._reset_after_fork)

    def _reset_after_fork(self) -> None:
        _INHERITED.extend([*self._loop_clients.values(), *self._renewals.values()])
        self._loop_clients = weakref.WeakKeyDictionary()
        self._renewals = {}
        self._loop_guard = threading.Lock()
        self._forked = True

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        encryption_key: bytes | None = None,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        socket_timeout: float = DEFAULT_SOCKET_TIMEOUT,
        _clock: Callable[[], float] = time.time,
        **redis_options: Any,
    ) -> Self:
        """A cache on ``redis://`` or ``rediss://`` ``url`` with its own sync and asyncio clients,
        closed by :meth:`close` / :meth:`aclose`. ``redis_options`` go to ``from_url``."""
        sync_class, async_class = _redis_classes()
        if socket_timeout is not None and not _positive_seconds(socket_timeout):  # pyright: ignore[reportUnnecessaryComparison]
            raise ConfigurationError("socket_timeout must be a positive, finite number of seconds")
        options: dict[str, Any] = {
            "socket_timeout": socket_timeout,
            "socket_connect_timeout": socket_timeout,
            **redis_options,
        }
        # redis-py leaves from_url's **kwargs untyped.
        try:
            sync_client = sync_class.from_url(url, **options)  # pyright: ignore[reportUnknownMemberType]
        except ValueError:
            # The message would quote the URL, and with it any password.
            raise ConfigurationError(
                "the Redis URL is not valid: use redis://[:password@]host[:port][/db] or rediss://"
            ) from None
        cache = cls(
            sync_client,
            prefix=prefix,
            encryption_key=encryption_key,
            lock_timeout=lock_timeout,
            _clock=_clock,
        )
        cache._async_factory = lambda: async_class.from_url(url, **options)  # pyright: ignore[reportUnknownMemberType]
        cache._owns_clients = True
        return cache

    @property
    def encrypted(self) -> bool:
        return self._codec.encrypted

    def lock_wait_description(self, key: str) -> str:
        """What a process waits for while another holds ``key``'s lock (for error messages)."""
        return "the Redis token cache lock held by another process"

    def entry_name(self, key: str) -> str:
        """The Redis key a token cache key's entry lives under."""
        return self._prefix + hashed_cache_key(key)

    # --- SharedTokenCache: sync ---------------------------------------------------------------

    def load(self, key: str) -> AccessToken | None:
        name = self.entry_name(key)
        return self._decode(name, self._run_sync(lambda r: r.get(name)))

    def save(self, key: str, token: AccessToken) -> None:
        name, ttl_ms = self.entry_name(key), self._ttl_ms(token)
        if ttl_ms > 0:
            value = self._codec.encode(name, token)
            self._run_sync(lambda r: r.set(name, value, px=ttl_ms))

    def discard(self, key: str, token: AccessToken) -> None:
        name = self.entry_name(key)
        raw = self._run_sync(lambda r: r.get(name))
        if raw is not None and self._matches(name, raw, token):
            self._run_sync(lambda r: r.eval(_DELETE_IF_EQUAL, 1, name, raw))

    def lock(self, key: str) -> str | None:
        name, owner = self._lock_name(key), uuid.uuid4().hex
        taken = self._run_sync(lambda r: r.set(name, owner, nx=True, px=self._lock_ms))
        if not taken:
            return None
        stop = threading.Event()
        self._renewals[owner] = stop
        threading.Thread(
            target=self._renew_sync,
            args=(name, owner, _hold_until(), stop),
            name="debtcore-redis-lock-renewal",
            daemon=True,
        ).start()
        return owner

    def unlock(self, key: str, owner: str) -> None:
        self._stop_renewal(owner)
        name = self._lock_name(key)
        self._run_sync(lambda r: r.eval(_DELETE_IF_EQUAL, 1, name, owner))

    # --- SharedTokenCache: async --------------------------------------------------------------

    async def aload(self, key: str) -> AccessToken | None:
        if self._async_client() is None:
            return await asyncio.to_thread(self.load, key)
        name = self.entry_name(key)
        return self._decode(name, await self._run_async(lambda r: r.get(name)))

    async def asave(self, key: str, token: AccessToken) -> None:
        if self._async_client() is None:
            return await asyncio.to_thread(self.save, key, token)
        name, ttl_ms = self.entry_name(key), self._ttl_ms(token)
        if ttl_ms > 0:
            value = self._codec.encode(name, token)
            await self._run_async(lambda r: r.set(name, value, px=ttl_ms))

    async def adiscard(self, key: str, token: AccessToken) -> None:
        if self._async_client() is None:
            return await asyncio.to_thread(self.discard, key, token)
        name = self.entry_name(key)
        raw = await self._run_async(lambda r: r.get(name))
        if raw is not None and self._matches(name, raw, token):
            await self._run_async(lambda r: r.eval(_DELETE_IF_EQUAL, 1, name, raw))

    async def alock(self, key: str) -> str | None:
        if self._async_client() is None:
            return await asyncio.to_thread(self.lock, key)
        name, owner = self._lock_name(key), uuid.uuid4().hex
        taken = await self._run_async(lambda r: r.set(name, owner, nx=True, px=self._lock_ms))
        if not taken:
            return None
        self._renewals[owner] = asyncio.get_running_loop().create_task(
            self._renew_async(name, owner, _hold_until())
        )
        return owner

    async def aunlock(self, key: str, owner: str) -> None:
        if self._async_client() is None:
            return await asyncio.to_thread(self.unlock, key, owner)
        self._stop_renewal(owner)
        name = self._lock_name(key)
        await self._run_async(lambda r: r.eval(_DELETE_IF_EQUAL, 1, name, owner))

    # --- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the sync client ``from_url`` created; a client you passed in stays open."""
        if self._owns_clients and self._sync is not None:
            self._sync.close()

    async def aclose(self) -> None:
        """Close this event loop's client ``from_url`` created, and the sync one."""
        if not self._owns_clients:
            return
        with self._loop_guard:
            client = self._loop_clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()
        self.close()

    def __repr__(self) -> str:
        return f"RedisTokenCache(prefix={self._prefix!r}, encrypted={self.encrypted})"

    # --- helpers ------------------------------------------------------------------------------

    def _lock_name(self, key: str) -> str:
        return self.entry_name(key) + ":lock"

    def _renew_sync(self, name: str, owner: str, until: float, stop: threading.Event) -> None:
        interval = self._lock_ms / 3000
        while not stop.wait(interval) and time.monotonic() < until:
            try:
                renewed = self._run_sync(
                    lambda r: r.eval(_RENEW_IF_EQUAL, 1, name, owner, self._lock_ms)
                )
                if not renewed:
                    return  # lost (expired and taken): nothing left to renew
            except TokenCacheError:
                return  # Redis is failing: the lock expires on its own
        self._renewals.pop(owner, None)

    async def _renew_async(self, name: str, owner: str, until: float) -> None:
        interval = self._lock_ms / 3000
        while time.monotonic() + interval < until:
            await asyncio.sleep(interval)
            try:
                renewed = await self._run_async(
                    lambda r: r.eval(_RENEW_IF_EQUAL, 1, name, owner, self._lock_ms)
                )
            except TokenCacheError:
                return
            if not renewed:
                return
        self._renewals.pop(owner, None)

    def _stop_renewal(self, owner: str) -> None:
        renewal = self._renewals.pop(owner, None)
        if isinstance(renewal, threading.Event):
            renewal.set()
        elif renewal is not None:
            renewal.cancel()

    def _ttl_ms(self, token: AccessToken) -> int:
        return math.floor(token.expires_in(self._clock()) * 1000)

    def _decode(self, name: str, raw: object) -> AccessToken | None:
        if not isinstance(raw, bytes | str):
            return None
        token = self._codec.decode(name, raw, source="the Redis token cache")
        if token is None or token.is_expired(self._clock()):
            return None
        return token

    def _matches(self, name: str, raw: object, token: AccessToken) -> bool:
        current = self._decode(name, raw)
        return current is not None and current.token == token.token

    def _async_client(self) -> redis.asyncio.Redis | None:
        if self._async is not None:
            if self._forked:
                # Its connections are the parent's: a request on one could read the parent's reply.
                raise TokenCacheError(
                    "this RedisTokenCache's asyncio client was created before os.fork(): create "
                    "the cache in each worker process, or use RedisTokenCache.from_url"
                )
            return self._async
        if self._async_factory is None:
            return None
        loop = asyncio.get_running_loop()
        with self._loop_guard:
            client = self._loop_clients.get(loop)
            if client is None:
                client = self._loop_clients[loop] = self._async_factory()
            return client

    def _run_sync(self, operation: Callable[[redis.Redis], T]) -> T:
        if self._sync is None:
            raise ConfigurationError(
                "this RedisTokenCache has only an asyncio client: pass a redis.Redis, or use "
                "RedisTokenCache.from_url, for sync use"
            )
        try:
            return operation(self._sync)
        except _redis_errors() as exc:
            _fail(exc)

    async def _run_async(self, operation: Callable[[redis.asyncio.Redis], Awaitable[T]]) -> T:
        client = self._async_client()
        assert client is not None  # the a-methods checked
        try:
            return await operation(client)
        except _redis_errors() as exc:
            _fail(exc)


def _positive_seconds(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def _hold_until() -> float:
    budget = wait_budget(_HOLD_MAX)
    return time.monotonic() + (_HOLD_MAX if budget is None else budget)


def _redis_classes() -> tuple[type[redis.Redis], type[redis.asyncio.Redis]]:
    try:
        import redis
        import redis.asyncio
    except ImportError as exc:
        raise ConfigurationError(
            "RedisTokenCache needs the redis package: pip install 'alleviate-debtcore[redis]'"
        ) from exc
    return redis.Redis, redis.asyncio.Redis


def _redis_errors() -> tuple[type[Exception], ...]:
    import redis.exceptions

    return (redis.exceptions.RedisError, OSError)


def _fail(exc: Exception) -> NoReturn:
    # The type only: redis messages can quote the server's address and reply.
    raise TokenCacheError(f"Redis could not be used ({type(exc).__name__})") from exc
