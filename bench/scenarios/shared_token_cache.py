"""7. Shared token caches: 8 processes x 100 concurrent cold calls, one token request in all.

The bench process runs the sandbox (``SandboxServer``, 127.0.0.1) in a thread and a throwaway
``redis-server``; 8 fresh worker processes (``bench._cold_start``) each build ``AsyncDebtCore``
with the cache under test, wait until all are ready, and start 100 ``credit_report`` calls at
once on a cold cache. The sandbox counts the token requests they send together. The default
in-memory cache (one token per process) is the baseline.
"""

from __future__ import annotations

import statistics

from .._cold_start import run_cold_start
from .._redis_server import RedisServer
from .._result import ScenarioResult, Target
from .._scenario import Context, Scenario
from .._stats import summarize

FULL = {"processes": 8, "calls": 100, "rounds": 1}
SMOKE = {"processes": 2, "calls": 5, "rounds": 1}
CACHES = {"memory": "InMemoryTokenCache", "file": "FileTokenCache", "redis": "RedisTokenCache"}


def _run(ctx: Context) -> ScenarioResult:
    from alleviate_debtcore.sandbox import SandboxServer  # only this scenario needs the extra

    settings = SMOKE if ctx.smoke else FULL
    result = ScenarioResult(SHARED_TOKEN_CACHE.name, SHARED_TOKEN_CACHE.title)
    with SandboxServer() as server, RedisServer() as redis:
        for kind, label in CACHES.items():
            requests: list[int] = []
            walls: list[float] = []
            token_waits: list[float] = []
            failed = 0
            for round_number in range(settings["rounds"]):
                target = str(ctx.workdir / f"tokens-{round_number}.json")
                if kind == "redis":
                    target = redis.url
                    redis_flush(target)
                before = server.state.http_requests["token"]
                workers = run_cold_start(
                    server.base_url,
                    kind,
                    target,
                    processes=settings["processes"],
                    calls=settings["calls"],
                )
                requests.append(server.state.http_requests["token"] - before)
                walls.append(statistics.median(worker.wall_s for worker in workers))
                token_waits.extend(worker.token_s for worker in workers)
                failed += sum(sum(worker.failures.values()) for worker in workers)
            result.measures[f"token requests, {label}"] = summarize(requests, "req")
            result.measures[f"time to token (per process), {label}"] = summarize(
                token_waits, "s"
            ).scaled(1e3, "ms")
            result.measures[f"burst wall (median worker), {label}"] = summarize(walls, "s").scaled(
                1e3, "ms"
            )
            result.details[f"failed_calls_{kind}"] = failed
            if kind != "memory":
                result.targets.append(Target(f"token requests, {label}", max(requests), "==", 1))
    result.params = {
        "processes": settings["processes"],
        "concurrent_calls_per_process": settings["calls"],
        "rounds": settings["rounds"],
        "server": "SandboxServer in a thread of the bench process, 127.0.0.1",
        "redis": "redis-server on a free 127.0.0.1 port, no persistence",
    }
    result.notes.append(
        "time to token: from the go signal until the process holds a token (its own fetch, or "
        "the one another process stored); the burst's wall time is dominated by the sandbox "
        "serving every call in one thread; the in-memory baseline sends one token request per "
        "process"
    )
    return result


def redis_flush(url: str) -> None:
    """Start a round on an empty database: the cache must be cold."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


SHARED_TOKEN_CACHE = Scenario(
    "shared_token_cache", "7. shared token caches, 8 processes x 100 cold calls", _run
)
