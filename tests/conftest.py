"""Fixtures shared across the suite, and which tests are the slow kinds. Nothing here reaches the
network."""

from __future__ import annotations

import fcntl
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.doubles import StaticAuth

from alleviate_debtcore import AsyncDebtCore, Environment, RetryPolicy

FAST_RETRIES = RetryPolicy(initial_delay=0.001, max_delay=0.002)

# The slow kinds (the markers pyproject.toml registers), by module or by test: `make test-fast`
# leaves them out with -m, `make test` runs them all. Kept in one table rather than on the tests,
# so that which tests are slow is read in one place. Tests that start a redis-server are marked
# `redis` by their fixture (below). A name here that matches no test is an error.
SLOW_KINDS: dict[str, tuple[str, ...]] = {
    "tests/test_schema_wheel.py": ("venv",),
    "tests/test_docs_test_kit.py::test_readme_kit_example_in_a_fresh_project": ("venv", "docs"),
    "tests/testing/test_example_app.py::test_example_app_in_a_virtualenv_with_only_the_wheel": (
        "venv",
    ),
    "tests/testing/test_example_app.py::test_example_app_tests_pass_with_the_plugin": ("slow",),
    "tests/test_packaging.py::test_sdist_rebuilds_a_wheel_that_imports": ("venv",),
    "tests/test_release.py::test_the_build_is_clean_and_the_distributions_hold_what_they_should": (
        "venv",
    ),
    "tests/test_release.py::test_the_wheel_check_catches_a_stray_file": ("venv",),
    "tests/test_typing.py": ("typecheck",),
    "tests/test_typing.py::test_wheel_carries_every_package_as_real_files": ("venv",),
    "tests/test_typing.py::test_wheel_imports_and_type_checks": ("venv",),
    "tests/test_surface_typing.py": ("typecheck",),
    "tests/test_docs.py": ("docs",),
    "tests/test_docs.py::test_api_md_python_blocks_type_check": ("typecheck",),
    "tests/test_docs.py::test_docs_python_blocks_type_check": ("typecheck",),
    "tests/auth/test_msal_node.py": ("node",),
    "tests/auth/test_microsoft_libraries.py": ("multiprocess",),
    "tests/auth/test_credential_fork.py": ("multiprocess",),
    "tests/test_fork.py": ("multiprocess",),
    "tests/caches/test_cache_fork.py": ("multiprocess",),
    "tests/caches/test_cold_start.py": ("multiprocess",),
    "tests/caches/test_cache_waits.py": ("multiprocess",),
    "tests/caches/test_cache_keys.py::test_forked_workers_with_different_identities_each_send_their_own_token": (  # noqa: E501
        "multiprocess",
    ),
    "tests/caches/test_file_cache.py::test_concurrent_writers_lose_no_entry_and_readers_never_see_a_partial_file": (  # noqa: E501
        "multiprocess",
    ),
    "tests/caches/test_file_cache.py::test_the_lock_excludes_other_processes_until_released": (
        "multiprocess",
    ),
    "tests/caches/test_file_cache.py::test_a_process_that_dies_holding_the_lock_releases_it": (
        "multiprocess",
    ),
    "tests/test_soak_and_leaks.py::test_soak_mixed_workload_with_faults": ("slow",),
    "tests/test_bench_smoke.py::test_smoke_run_writes_every_scenario": ("slow",),
    "tests/test_schema_pull.py::test_cli_diff_and_check_exit_codes": ("slow",),
    "tests/test_schema_diff.py::test_schema_update_copies_and_regenerates_a_safe_change": ("slow",),
    "tests/test_schema_diff.py::test_schema_update_refuses_a_change_that_breaks_our_operations": (
        "slow",
    ),
    "tests/test_end_to_end.py::test_examples_run_against_the_sandbox": ("slow",),
}
# Fixtures that start a redis-server.
REDIS_FIXTURES = frozenset({"redis_server", "own_redis_server"})
# Tests that build from the checkout (pip wheel, python -m build): the build writes build/ and
# *.egg-info in the source tree, so two of them must not run at once. Under xdist each holds a
# lock file that all workers share while it runs (setup included: module fixtures build there).
# (Not an xdist_group: pytest 9.2 keeps node ids where xdist 3.8's loadgroup no longer edits them.)
SOURCE_TREE_BUILDS = (
    "tests/test_schema_wheel.py",
    "tests/test_docs_test_kit.py::test_readme_kit_example_in_a_fresh_project",
    "tests/testing/test_example_app.py::test_example_app_in_a_virtualenv_with_only_the_wheel",
    "tests/test_packaging.py::test_sdist_rebuilds_a_wheel_that_imports",
    "tests/test_release.py::test_the_build_is_clean_and_the_distributions_hold_what_they_should",
    "tests/test_release.py::test_the_wheel_check_catches_a_stray_file",
    "tests/test_typing.py::test_wheel_carries_every_package_as_real_files",
    "tests/test_typing.py::test_wheel_imports_and_type_checks",
)


KINDS = frozenset({"venv", "typecheck", "node", "multiprocess", "redis", "docs", "slow"})
_SLOW_KIND_NAMES = pytest.StashKey[tuple[str, ...]]()
_BUILDS_IN_THE_TREE = pytest.StashKey[bool]()


def _matches(nodeid: str, name: str) -> bool:
    return nodeid == name or nodeid.startswith((f"{name}::", f"{name}["))


def pytest_itemcollected(item: pytest.Item) -> None:
    """Marks each test as it is collected: before -m selects and xdist groups by them."""
    for name, kinds in SLOW_KINDS.items():
        if _matches(item.nodeid, name):
            item.stash[_SLOW_KIND_NAMES] = (*item.stash.get(_SLOW_KIND_NAMES, ()), name)
            for kind in kinds:
                item.add_marker(kind)
    if REDIS_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        item.add_marker("redis")
    if any(_matches(item.nodeid, name) for name in SOURCE_TREE_BUILDS):
        item.stash[_BUILDS_IN_THE_TREE] = True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.option.file_or_dir and not config.option.keyword:  # the whole suite
        used = {name for item in items for name in item.stash.get(_SLOW_KIND_NAMES, ())}
        unused = sorted(set(SLOW_KINDS) - used)
        if unused:
            raise pytest.UsageError(f"tests/conftest.py SLOW_KINDS names no test: {unused}")
    # The slow kinds first: under xdist the run then ends on short tests, not on one long one
    # that started last. Stable: the rest keep their order.
    items.sort(key=lambda item: not any(m.name in KINDS for m in item.iter_markers()))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[object]:
    if not item.stash.get(_BUILDS_IN_THE_TREE, False):
        return (yield)
    # The parent of this process's basetemp: shared by every xdist worker of this run.
    shared = item.config._tmp_path_factory.getbasetemp().parent  # type: ignore[attr-defined]
    with open(shared / "source-tree-build.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        return (yield)


@pytest.fixture
async def static_debtcore() -> AsyncIterator[AsyncDebtCore]:
    """A client of the sandbox environment's URLs with a static token and no retry sleeps worth
    waiting for, for tests that answer with ``httpx_mock``. Not named ``debtcore``: that is the
    test kit plugin's fixture (a client of an in-process sandbox), which tests/testing uses."""
    async with AsyncDebtCore(
        auth=StaticAuth(), environment=Environment.SANDBOX, retry_policy=FAST_RETRIES
    ) as client:
        yield client
