"""``FileTokenCache``: one JSON file that the processes of one machine share."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

from alleviate_debtcore.errors import ConfigurationError, TokenCacheError

from ._cache import hashed_cache_key
from ._token import AccessToken
from ._token_codec import token_from_fields, token_to_fields

if TYPE_CHECKING:
    from filelock import FileLock

__all__ = ["FileTokenCache"]

# How long a write waits for another process's write (each holds the lock for a few ms).
_WRITE_LOCK_TIMEOUT = 10.0
_FORMAT = 1


class FileTokenCache:
    """A :class:`~alleviate_debtcore.auth.SharedTokenCache` in a file: for the processes of one
    machine (gunicorn or Celery workers, several CLIs).

    The file holds every identity's token under a SHA-256 of tenant, client id and scope, and is
    rewritten atomically (a temporary file, then ``os.replace``) with mode 0600: only its owner can
    read it. Expired entries are never returned and are dropped at the next write. Refreshes are
    single flight across processes through a lock file per entry (``filelock``); a process that
    dies holding it releases it. Needs ``pip install 'alleviate-debtcore[file-cache]'``.

    Anyone who can read the file can call the API as your client until the tokens expire: keep it
    in a directory only the service's user can read.
    """

    def __init__(self, path: str | os.PathLike[str], *, _clock: Callable[[], float] = time.time):
        try:
            from filelock import FileLock, Timeout
        except ImportError as exc:
            raise ConfigurationError(
                "FileTokenCache needs the filelock package: "
                "pip install 'alleviate-debtcore[file-cache]'"
            ) from exc
        self._file_lock_class = FileLock
        self._timeout_error = Timeout
        self._path = Path(path)
        self._clock = _clock
        self._held: dict[str, FileLock] = {}
        self._held_guard = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path

    # --- SharedTokenCache: sync ---------------------------------------------------------------

    def load(self, key: str) -> AccessToken | None:
        # No lock: the file is only ever replaced whole, so a read sees one complete version.
        entry = self._read().get(hashed_cache_key(key))
        token = token_from_fields(entry)
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

    def lock(self, key: str) -> str | None:
        lock = self._file_lock_class(
            self._sidecar(f".{hashed_cache_key(key)[:16]}.lock"), mode=0o600, thread_local=False
        )
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
        try:
            document = json.loads(raw)
        except ValueError:
            return {}  # damaged (not by us: writes are atomic); the next write replaces it
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
        lock = self._file_lock_class(self._sidecar(".lock"), mode=0o600, thread_local=False)
        try:
            self._ensure_directory()
            lock.acquire(timeout=_WRITE_LOCK_TIMEOUT)
        except self._timeout_error as exc:
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


def _fail(what: str, exc: BaseException) -> NoReturn:
    # The error's type and errno only: the path is the user's own, but nothing else is needed.
    errno = getattr(exc, "errno", None)
    detail = f"{type(exc).__name__}" + (f", errno {errno}" if errno else "")
    raise TokenCacheError(f"the token cache file could not be {what} ({detail})") from exc
