"""``FileTokenCache``: one JSON file that the processes of one machine share."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

from alleviate_debtcore._deadline import wait_budget
from alleviate_debtcore._fork import on_fork_in_child
from alleviate_debtcore.errors import ConfigurationError, TokenCacheError, TokenWaitTimeoutError

from ._cache import hashed_cache_key
from ._token import AccessToken
from ._token_codec import parse_json, token_from_fields, token_to_fields

if TYPE_CHECKING:
    from filelock import FileLock

__all__ = ["FileTokenCache"]

logger = logging.getLogger("alleviate_debtcore.auth")

# How long a write waits for another process's write (each holds the lock for a few ms), at most:
# within a call, never longer than the call's time left.
_WRITE_LOCK_TIMEOUT = 10.0
_FORMAT = 1
# Locks a forked child inherited from its parent's threads: kept referenced, never released.
# filelock before 4.0 releases a lock it collects, and an inherited flock is the parent's too.
_INHERITED_LOCKS: list[object] = []


class FileTokenCache:
    """A :class:`~alleviate_debtcore.auth.SharedTokenCache` in a file: for the processes of one
    machine (gunicorn or Celery workers, several CLIs).

    The file holds every identity's token under a SHA-256 of tenant, client id and scope, and is
    rewritten atomically (a temporary file, then ``os.replace``) with mode 0600: only its owner can
    read it. Expired entries are never returned and are dropped at the next write. Refreshes are
    single flight across processes through a lock file per entry (``filelock``); a process that
    dies holding it releases it. Needs ``pip install 'alleviate-debtcore[file-cache]'``.

    Anyone who can read the file can call the API as your client until the tokens expire: keep it
    in a directory only the service's user can read. Whoever can write it can make this client
    send their token: entries are checked to be sendable (see ``token_from_fields``), not genuine.

    Waits are bounded by the running call's deadline: behind another process's entry lock (a
    stalled holder), a call waits until its time is up and then raises
    :class:`~alleviate_debtcore.errors.TokenWaitTimeoutError` naming the lock file; a write
    waits for the file's write lock at most 10 s, and never past the call's deadline.
    """

    def __init__(self, path: str | os.PathLike[str], *, _clock: Callable[[], float] = time.time):
        self._path = _checked_path(path)
        try:
            from filelock import FileLock, Timeout
        except ImportError as exc:
            raise ConfigurationError(
                "FileTokenCache needs the filelock package: "
                "pip install 'alleviate-debtcore[file-cache]'"
            ) from exc
        self._file_lock_class = FileLock
        self._timeout_error = Timeout
        self._clock = _clock
        self._held: dict[str, FileLock] = {}
        self._held_guard = threading.Lock()
        on_fork_in_child(self, FileTokenCache._reset_after_fork)

    def _reset_after_fork(self) -> None:
        # The parent's threads hold these; the child must neither use nor release them.
        _INHERITED_LOCKS.extend(self._held.values())
        self._held = {}
        self._held_guard = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path

    # --- SharedTokenCache: sync ---------------------------------------------------------------

    def load(self, key: str) -> AccessToken | None:
        # No lock: the file is only ever replaced whole, so a read sees one complete version.
        entry = self._read().get(hashed_cache_key(key))
        token = token_from_fields(entry, source="the file token cache")
        if token is None or token.is_expired(self._clock()):
            return None
        return token

    def save(self, key: str, token: AccessToken) -> None:
        name = hashed_cache_key(key)
        with self._writing() as entries:
            entries[name] = token_to_fields(token)

    def discard(self, key: str, token: AccessToken) -> None:
        name = hashed_cache_key(key)
        with self._writing() as entries:
            current = token_from_fields(entries.get(name))
            if current is not None and current.token == token.token:
                del entries[name]

    def lock_wait_description(self, key: str) -> str:
        """What a process waits for while another holds ``key``'s lock (for error messages)."""
        path = self._entry_lock_path(key)
        return f"the file token cache's lock at {path} held by another process"

    def lock(self, key: str) -> str | None:
        lock = self._file_lock_class(self._entry_lock_path(key), mode=0o600, thread_local=False)
        try:
            self._ensure_directory()
            lock.acquire(timeout=0)
        except self._timeout_error:
            return None
        except OSError as exc:
            _fail("locked", exc)
        owner = uuid.uuid4().hex
        with self._held_guard:
            self._held[owner] = lock
        return owner

    def unlock(self, key: str, owner: str) -> None:
        with self._held_guard:
            lock = self._held.pop(owner, None)
        if lock is not None:
            lock.release()

    # --- SharedTokenCache: async ---------------------------------------------------------------
    # Reads and writes run in a thread (a write waits for other writers). Locking does not wait
    # (a non-blocking flock), so it runs on the loop: a cancelled await cannot lose a held lock.

    async def aload(self, key: str) -> AccessToken | None:
        return await asyncio.to_thread(self.load, key)

    async def asave(self, key: str, token: AccessToken) -> None:
        await asyncio.to_thread(self.save, key, token)

    async def adiscard(self, key: str, token: AccessToken) -> None:
        await asyncio.to_thread(self.discard, key, token)

    async def alock(self, key: str) -> str | None:
        return self.lock(key)

    async def aunlock(self, key: str, owner: str) -> None:
        self.unlock(key, owner)

    def __repr__(self) -> str:
        return f"FileTokenCache({str(self._path)!r})"

    # --- the file -----------------------------------------------------------------------------

    def _entry_lock_path(self, key: str) -> str:
        return self._sidecar(f".{hashed_cache_key(key)[:16]}.lock")

    def _sidecar(self, suffix: str) -> str:
        return str(self._path.with_name(self._path.name + suffix))

    def _ensure_directory(self) -> None:
        self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

    def _read(self) -> dict[str, Any]:
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            _fail("read", exc)
        # Damaged (not by us: writes are atomic), or nested too deep to parse: empty, so that the
        # next write replaces it.
        document = parse_json(raw)
        if not isinstance(document, dict):
            return {}
        fields = cast("dict[str, object]", document)
        entries = fields.get("entries")
        if fields.get("version") != _FORMAT or not isinstance(entries, dict):
            return {}
        return dict(cast("dict[str, Any]", entries))

    @contextlib.contextmanager
    def _writing(self) -> Generator[dict[str, Any]]:
        """The current entries, minus expired ones, to change; written back atomically."""
        path = self._sidecar(".lock")
        lock = self._file_lock_class(path, mode=0o600, thread_local=False)
        budget = wait_budget(_WRITE_LOCK_TIMEOUT)
        assert budget is not None  # capped
        started = time.monotonic()
        try:
            self._ensure_directory()
            lock.acquire(timeout=budget)
        except self._timeout_error as exc:
            if budget < _WRITE_LOCK_TIMEOUT:  # the call's deadline, not our cap, ran out
                waited = time.monotonic() - started
                raise TokenWaitTimeoutError(
                    f"the call's timeout ran out after {waited:.1f} s waiting for the file token "
                    f"cache's write lock at {path} held by another process",
                    waited_for=f"the file token cache's write lock at {path}",
                    waited=waited,
                ) from None
            _fail("locked for writing", exc)
        except OSError as exc:
            _fail("locked for writing", exc)
        try:
            now = self._clock()
            entries = {
                name: fields
                for name, fields in self._read().items()
                if (token := token_from_fields(fields)) is not None and not token.is_expired(now)
            }
            yield entries
            self._replace(entries)
        finally:
            lock.release()

    def _replace(self, entries: dict[str, Any]) -> None:
        data = json.dumps({"version": _FORMAT, "entries": entries}, separators=(",", ":"))
        try:
            # mkstemp creates the file with mode 0600, in the same directory for os.replace.
            fd, temp = tempfile.mkstemp(dir=self._path.parent, prefix=f".{self._path.name}.")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as file:
                    file.write(data)
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temp, self._path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        except OSError as exc:
            _fail("written", exc)


def _checked_path(path: object) -> Path:
    if isinstance(path, bytes) or not isinstance(path, str | os.PathLike):
        raise ConfigurationError(
            f"FileTokenCache needs a file path (str or pathlib.Path), not {type(path).__name__}"
        )
    text = os.fspath(cast("str | os.PathLike[str]", path))
    if not isinstance(cast("object", text), str) or not text.strip() or "\x00" in text:
        raise ConfigurationError("FileTokenCache needs a file path, e.g. /var/lib/app/tokens.json")
    resolved = Path(text)
    if resolved.name in ("", ".", ".."):
        raise ConfigurationError("FileTokenCache needs a file path, not a directory")
    return resolved


def _fail(what: str, exc: BaseException) -> NoReturn:
    # The error's type and errno only: the path is the user's own, but nothing else is needed.
    errno = getattr(exc, "errno", None)
    detail = f"{type(exc).__name__}" + (f", errno {errno}" if errno else "")
    raise TokenCacheError(f"the token cache file could not be {what} ({detail})") from exc
