"""Fixtures for the token cache tests: a real redis-server on a loopback port, the sandbox.

The Redis server and the N-process runner are the benchmark's (``bench/``), so the bench scenario
and these tests start the same things. ``bench`` is a folder of the repository, not part of the
installed package: it is imported from its path, without putting the repository root on
``sys.path`` (that would shadow the installed ``alleviate_debtcore``).
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from alleviate_debtcore.sandbox import SandboxServer, create_app

ROOT = Path(__file__).resolve().parents[2]


def _import_bench() -> None:
    if "bench" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        "bench", ROOT / "bench" / "__init__.py", submodule_search_locations=[str(ROOT / "bench")]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module
    spec.loader.exec_module(module)


_import_bench()

from bench._redis_server import RedisServer  # noqa: E402


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server for the module's tests; each test uses its own key prefix."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def own_redis_server() -> Iterator[RedisServer]:
    """A redis-server for one test, which may kill it."""
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def prefix() -> str:
    return f"test:{uuid.uuid4().hex[:8]}:"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture
def short_lived_sandbox() -> Iterator[SandboxServer]:
    """A sandbox whose tokens live 4 s, so that a test sees refreshes."""
    with SandboxServer(create_app(token_lifetime=4)) as server:
        yield server
