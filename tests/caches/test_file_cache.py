"""FileTokenCache on its own: format, permissions, expiry, atomic writes, the lock, failures."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.caches import CLIENT_ID, KEY, OTHER_KEY, SCOPE, TENANT, TOKEN_VALUE, Clock, token

from alleviate_debtcore.auth import FileTokenCache, SharedTokenCache, TokenCache
from alleviate_debtcore.auth._cache import hashed_cache_key
from alleviate_debtcore.errors import DebtCoreError, TokenCacheError


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "tokens.json"


def test_a_saved_token_loads_back_in_another_instance(path: Path) -> None:
    cache = FileTokenCache(path)
    assert isinstance(cache, SharedTokenCache)
    assert not isinstance(cache, TokenCache)  # EntraAuth tells the two kinds apart
    assert cache.load(KEY) is None  # no file yet
    saved = token(now=time.time())
    cache.save(KEY, saved)
    assert FileTokenCache(path).load(KEY) == saved
    assert cache.load(OTHER_KEY) is None


async def test_async_methods_match_the_sync_ones(path: Path) -> None:
    cache = FileTokenCache(path)
    saved = token(now=time.time())
    await cache.asave(KEY, saved)
    assert await cache.aload(KEY) == saved
    owner = await cache.alock(KEY)
    assert owner is not None
    assert await cache.alock(KEY) is None
    await cache.aunlock(KEY, owner)
    await cache.adiscard(KEY, saved)
    assert await cache.aload(KEY) is None


def test_files_are_private_to_their_owner(path: Path) -> None:
    cache = FileTokenCache(path)
    cache.save(KEY, token(now=time.time()))
    owner = cache.lock(KEY)
    assert owner is not None
    files = list(path.parent.iterdir())
    assert path in files and len(files) >= 3  # the cache, its write lock, the entry's lock
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
    cache.unlock(KEY, owner)


def test_an_existing_readable_file_is_replaced_by_a_private_one(path: Path) -> None:
    path.parent.mkdir()
    path.write_text("{}")
    path.chmod(0o644)
    FileTokenCache(path).save(KEY, token(now=time.time()))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_entries_are_keyed_by_a_hash_without_identity_or_secret(path: Path) -> None:
    FileTokenCache(path).save(KEY, token(now=time.time()))
    document = json.loads(path.read_text())
    assert list(document["entries"]) == [hashed_cache_key(KEY)]
    names = " ".join([*document["entries"], *(p.name for p in path.parent.iterdir())])
    for revealing in (TENANT, CLIENT_ID, SCOPE, "local-secret", TOKEN_VALUE):
        assert revealing not in names


def test_expired_entries_are_ignored_and_pruned_at_the_next_write(path: Path) -> None:
    clock = Clock(time.time)
    cache = FileTokenCache(path, _clock=clock)
    cache.save(KEY, token("short", now=clock(), life=60))
    cache.save(OTHER_KEY, token("long", now=clock(), life=3600))
    clock.offset = 120
    assert cache.load(KEY) is None
    assert hashed_cache_key(KEY) in path.read_text()  # still on disk until a write
    cache.save(OTHER_KEY, token("long-2", now=clock(), life=3600))
    entries = json.loads(path.read_text())["entries"]
    assert list(entries) == [hashed_cache_key(OTHER_KEY)]


def test_discard_removes_only_the_refused_token(path: Path) -> None:
    cache = FileTokenCache(path)
    now = time.time()
    cache.save(KEY, token("current", now=now))
    cache.discard(KEY, token("an-older-one", now=now))
    assert cache.load(KEY) == token("current", now=now)
    cache.discard(KEY, token("current", now=now))
    assert cache.load(KEY) is None


def test_a_damaged_file_reads_as_empty_and_is_rewritten(path: Path) -> None:
    path.parent.mkdir()
    path.write_text('{"version": 1, "entries": {"')
    cache = FileTokenCache(path)
    assert cache.load(KEY) is None
    cache.save(KEY, token(now=time.time()))
    assert cache.load(KEY) is not None


def test_concurrent_writers_lose_no_entry_and_readers_never_see_a_partial_file(
    path: Path,
) -> None:
    cache = FileTokenCache(path)
    cache.save("seed", token(now=time.time()))
    keys = [f"key-{n}" for n in range(40)]
    stop = threading.Event()
    torn: list[str] = []

    def read_all_the_time() -> None:
        while not stop.is_set():
            try:
                json.loads(path.read_bytes())
            except ValueError as exc:
                torn.append(str(exc))

    reader = threading.Thread(target=read_all_the_time)
    reader.start()
    writers = [
        threading.Thread(target=cache.save, args=(key, token(key, now=time.time()))) for key in keys
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    stop.set()
    reader.join()
    assert torn == []
    for key in keys:
        loaded = cache.load(key)
        assert loaded is not None and loaded.token == key
    assert not [p for p in path.parent.iterdir() if p.name.startswith(f".{path.name}.")]


def test_the_lock_excludes_other_processes_until_released(path: Path) -> None:
    cache = FileTokenCache(path)
    owner = cache.lock(KEY)
    assert owner is not None
    assert FileTokenCache(path).lock(KEY) is None  # another open file, as in another process
    assert cache.lock(OTHER_KEY) is not None  # one lock per entry
    probe = [
        sys.executable,
        "-c",
        "import sys; from alleviate_debtcore.auth import FileTokenCache; "
        "print(FileTokenCache(sys.argv[1]).lock(sys.argv[2]) is not None)",
        str(path),
        KEY,
    ]
    assert subprocess.run(probe, capture_output=True, text=True, check=True).stdout == "False\n"
    cache.unlock(KEY, "not-the-owner")  # no effect
    assert FileTokenCache(path).lock(KEY) is None
    cache.unlock(KEY, owner)
    assert subprocess.run(probe, capture_output=True, text=True, check=True).stdout == "True\n"


def test_a_process_that_dies_holding_the_lock_releases_it(path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from alleviate_debtcore.auth import FileTokenCache; "
            "cache = FileTokenCache(sys.argv[1]); assert cache.lock(sys.argv[2]); "
            "print('held', flush=True); "
            "time.sleep(60)",
            str(path),
            KEY,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        assert FileTokenCache(path).lock(KEY) is None
    finally:
        holder.kill()
        holder.wait()
    assert FileTokenCache(path).lock(KEY) is not None


def test_an_unusable_path_raises_token_cache_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    cache = FileTokenCache(blocker / "tokens.json")
    with pytest.raises(TokenCacheError) as caught:
        cache.save(KEY, token(now=time.time()))
    assert isinstance(caught.value, DebtCoreError)
    assert "could not be" in str(caught.value)
    with pytest.raises(TokenCacheError):
        cache.lock(KEY)
    with pytest.raises(TokenCacheError):
        cache.load(KEY)  # NotADirectoryError, unlike a file not written yet
    assert "tokens.json" in repr(cache) and TOKEN_VALUE not in repr(cache)


def test_a_read_error_raises_token_cache_error(tmp_path: Path) -> None:
    directory_in_the_way = tmp_path / "tokens.json"
    directory_in_the_way.mkdir()
    with pytest.raises(TokenCacheError):
        FileTokenCache(directory_in_the_way).load(KEY)


def test_os_replace_is_the_only_way_the_file_changes(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = FileTokenCache(path)
    cache.save(KEY, token("first", now=time.time()))
    before = path.read_text()
    failing_replace_calls: list[str] = []

    def failing_replace(src: str, dst: object) -> None:
        failing_replace_calls.append(src)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(TokenCacheError):
        cache.save(KEY, token("second", now=time.time()))
    assert path.read_text() == before  # the old version, whole
    assert failing_replace_calls and not Path(failing_replace_calls[0]).exists()  # temp removed
