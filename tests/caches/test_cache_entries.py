"""What a shared cache hands back is checked (issue 21): a poisoned entry (CR/LF, empty, huge)
is a logged miss that a fresh fetch replaces; a damaged file is replaced; bad constructor
arguments are ConfigurationErrors. Calls go to the sandbox on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support.caches import CLIENT_ID, CLIENT_SECRET, KEY, exception_texts, log_texts, token

from alleviate_debtcore import DebtCore
from alleviate_debtcore.auth import FileTokenCache, RedisTokenCache, SharedTokenCache
from alleviate_debtcore.auth._cache import hashed_cache_key
from alleviate_debtcore.auth._token import MAX_TOKEN_LENGTH, token_value_problem
from alleviate_debtcore.credit import GetCreditReportInput
from alleviate_debtcore.errors import ConfigurationError
from alleviate_debtcore.sandbox import SandboxServer
from bench._redis_server import RedisServer

REPORT = GetCreditReportInput(credit_report_id="cr-abc123def456")
POISONS = {
    "header injection": "abc\r\nX-Evil: 1",
    "empty": "",
    "oversized": "a" * (MAX_TOKEN_LENGTH + 1),
    "non-ascii": "abc\u00e9def",
    "space": "abc def",
}


@pytest.fixture(params=["file", "redis"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, redis_server: RedisServer, prefix: str
) -> Iterator[tuple[SharedTokenCache, Any]]:
    """A cache, and a function that writes a raw entry into its store (as an attacker could)."""
    if request.param == "file":
        path = tmp_path / "tokens.json"

        def poison_file(key: str, fields: dict[str, Any]) -> None:
            document = {"version": 1, "entries": {hashed_cache_key(key): fields}}
            path.write_text(json.dumps(document))

        yield FileTokenCache(path), poison_file
        return
    cache = RedisTokenCache.from_url(redis_server.url, prefix=prefix)
    raw = redis.Redis.from_url(redis_server.url)

    def poison_redis(key: str, fields: dict[str, Any]) -> None:
        raw.set(cache.entry_name(key), json.dumps(fields), px=3_600_000)

    yield cache, poison_redis
    cache.close()


@pytest.mark.parametrize("poison", list(POISONS))
def test_a_poisoned_entry_is_replaced_and_the_call_succeeds(
    sandbox: SandboxServer,
    store: tuple[SharedTokenCache, Any],
    poison: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache, write_raw = store
    value = POISONS[poison]
    with DebtCore(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        environment=sandbox.environment,
        token_cache=cache,
    ) as client:
        key = client.auth.cache_key  # type: ignore[attr-defined]
        now = time.time()
        write_raw(key, {"token": value, "expires_on": now + 3000, "refresh_on": now + 2700})
        with caplog.at_level(logging.WARNING, logger="alleviate_debtcore.auth"):
            assert client.credit.credit_report(input=REPORT).id == REPORT.credit_report_id
    replaced = cache.load(key)
    assert replaced is not None and token_value_problem(replaced.token) is None
    logs = log_texts(caplog.records)
    assert "dropped as a miss" in logs
    if value:
        assert value not in logs and "X-Evil" not in logs


def test_the_token_check() -> None:
    assert token_value_problem("eyJhbGciOiJSUzI1NiJ9.e30.c2ln") is None
    assert token_value_problem("a" * MAX_TOKEN_LENGTH) is None
    for value in POISONS.values():
        problem = token_value_problem(value)
        assert problem is not None and (not value or value not in problem)


@pytest.mark.parametrize("document", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000])
def test_a_deeply_nested_file_reads_as_empty_and_is_replaced(tmp_path: Path, document: str) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(document)
    cache = FileTokenCache(path)
    assert cache.load(KEY) is None
    saved = token(now=time.time())
    cache.save(KEY, saved)
    assert cache.load(KEY) == saved


def test_a_deeply_nested_redis_entry_reads_as_missing(
    redis_server: RedisServer, prefix: str
) -> None:
    cache = RedisTokenCache.from_url(redis_server.url, prefix=prefix)
    redis.Redis.from_url(redis_server.url).set(cache.entry_name(KEY), "[" * 100_000)
    assert cache.load(KEY) is None
    cache.close()


@pytest.mark.parametrize("path", [None, "", "   ", b"tokens.json", 5, "/", ".", "a\x00b"])
def test_file_cache_paths_are_checked_at_construction(path: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        FileTokenCache(path)  # type: ignore[arg-type]
    assert "FileTokenCache" in str(caught.value)


@pytest.mark.parametrize(
    "options",
    [
        {"lock_timeout": math.nan},
        {"lock_timeout": math.inf},
        {"lock_timeout": "5"},
        {"lock_timeout": 0},
        {"lock_timeout": -1},
        {"lock_timeout": True},
        {"prefix": None},
        {"prefix": 5},
    ],
)
def test_redis_cache_options_are_checked_at_construction(
    redis_server: RedisServer, options: dict[str, Any]
) -> None:
    with pytest.raises(ConfigurationError):
        RedisTokenCache(redis.Redis.from_url(redis_server.url), **options)
    with pytest.raises(ConfigurationError):
        RedisTokenCache.from_url(redis_server.url, **options)


@pytest.mark.parametrize("socket_timeout", [math.nan, "2", 0, -1])
def test_redis_socket_timeout_is_checked(redis_server: RedisServer, socket_timeout: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RedisTokenCache.from_url(redis_server.url, socket_timeout=socket_timeout)
    assert redis_server.url not in exception_texts(caught.value)
