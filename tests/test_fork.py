"""Real ``os.fork()`` over the sandbox: a child never reads its parent's responses.

Parent and child ask for different credit reports at the same moment over a client that had a
keep-alive connection pooled (and a token cached) before the fork, as a gunicorn ``--preload``
master hands its workers. Every call must return its own report; ``crossed`` counts a call that
got the other process's. Each child reports one outcome through a pipe and ``os._exit``s; the
parent reaps it within a budget and kills it on overrun, so no process outlives its test.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.support.raw_server import RawRequest, Step, answer, raw_server

from alleviate_debtcore import AsyncDebtCore, DebtCore, DebtCoreError, Environment
from alleviate_debtcore.sandbox import SandboxServer

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

CLIENT_ID, CLIENT_SECRET = "local-client", "local-secret"
ROUNDS = 20
CALL_TIMEOUT = 20.0  # seconds, per call: generous, for a busy machine
CHILD_BUDGET = 40.0  # how long a child may live before it is killed


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer() as running:
        yield running


def _applicant(last: str, ssn: str) -> dict[str, Any]:
    return {
        "credit_report_source": "ARRAY_EQUIFAX",
        "req_org_contact_id": f"fork-{last.lower()}",
        "first_name": "ANN",
        "last_name": last,
        "ssn": ssn,
        "dob": "1980-02-03",
        "address_line1": "12 HARBOR WAY",
        "city": "SAN DIEGO",
        "state": "CA",
        "zip": "92101",
    }


def _outcome(fetch: Callable[[], str], wanted: str, other: str) -> str:
    """What one call gave: its own report, the other process's, or which error."""
    try:
        got = fetch()
    except DebtCoreError as exc:
        return f"error {type(exc).__name__}"
    except BaseException as exc:  # a raw exception is a finding, not a crash
        return f"raw {type(exc).__name__}"
    return "own" if got == wanted else "crossed" if got == other else "foreign"


def _fork(child: Callable[[], str]) -> tuple[int, int]:
    """Run ``child`` in a forked process; (pid, read end of the pipe its outcome comes on)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            os.close(read_end)
            os.write(write_end, child().encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def _reap(pid: int, read_end: int, budget: float = CHILD_BUDGET) -> str:
    """The child's outcome once it has exited, or "hung" (it is killed) after ``budget``."""
    deadline = time.monotonic() + budget
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                text = os.read(read_end, 4096).decode()
                return text or f"died (status {status})"
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return "hung"
            time.sleep(0.01)
    finally:
        os.close(read_end)


def _tally(outcomes: Counter[str], face: str) -> None:
    print(f"\n{face}: {dict(outcomes)}")  # the counts, for the record (pytest -s)
    crossed = {k: n for k, n in outcomes.items() if "crossed" in k or "foreign" in k}
    assert not crossed, outcomes
    assert not [k for k in outcomes if "raw" in k or "hung" in k or "died" in k], outcomes
    # Locally nothing should fail at all: an error would mean the child inherited a broken pool.
    assert outcomes["parent own"] == outcomes["child own"] == ROUNDS, outcomes


@pytest.mark.parametrize("given_client", [False, True], ids=["own pool", "given http_client"])
def test_sync_parent_and_child_each_get_their_own_report(
    server: SandboxServer, given_client: bool
) -> None:
    http = httpx.Client() if given_client else None
    with DebtCore(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        environment=server.environment,
        http_client=http,
        timeout=CALL_TIMEOUT,
    ) as debtcore:
        credit = debtcore.credit
        mine = credit.pull_credit_report(input=_applicant("PARENT", "999001111")).credit_report_id
        theirs = credit.pull_credit_report(input=_applicant("CHILD", "999002222")).credit_report_id
        outcomes: Counter[str] = Counter()
        for _ in range(ROUNDS):
            credit.credit_report(mine)  # a keep-alive connection in the pool at the fork
            pid, read_end = _fork(
                lambda: _outcome(lambda: credit.credit_report(theirs).id, theirs, mine)
            )
            try:
                outcomes[
                    "parent " + _outcome(lambda: credit.credit_report(mine).id, mine, theirs)
                ] += 1
            finally:
                outcomes["child " + _reap(pid, read_end)] += 1
    if http is not None:
        assert not http.is_closed  # the child forgot its connections; nothing was closed here
        http.close()
    _tally(outcomes, f"sync, {'given http_client' if given_client else 'own pool'}")


class _LoopThread:
    """An event loop running in a thread of its own, as an async app's is when it forks."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Any, budget: float = CALL_TIMEOUT * 2) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(budget)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(CALL_TIMEOUT)
        self.loop.close()


async def _report_id(debtcore: AsyncDebtCore, report_id: str) -> str:
    return (await debtcore.credit.credit_report(report_id)).id


def test_async_parent_and_child_each_get_their_own_report(server: SandboxServer) -> None:
    loop = _LoopThread()
    debtcore = AsyncDebtCore(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        environment=server.environment,
        timeout=CALL_TIMEOUT,
    )
    outcomes: Counter[str] = Counter()
    try:
        credit = debtcore.credit
        mine = loop.run(credit.pull_credit_report(input=_applicant("APARENT", "999003333")))
        theirs = loop.run(credit.pull_credit_report(input=_applicant("ACHILD", "999004444")))
        mine, theirs = mine.credit_report_id, theirs.credit_report_id
        for _ in range(ROUNDS):
            loop.run(_report_id(debtcore, mine))  # pooled, and bound to the parent's loop
            # The child has no thread running that loop: it runs its own.
            pid, read_end = _fork(
                lambda: _outcome(lambda: asyncio.run(_report_id(debtcore, theirs)), theirs, mine)
            )
            try:
                parent = _outcome(lambda: loop.run(_report_id(debtcore, mine)), mine, theirs)
                outcomes["parent " + parent] += 1
            finally:
                outcomes["child " + _reap(pid, read_end)] += 1
    finally:
        loop.run(debtcore.aclose())
        loop.stop()
    _tally(outcomes, "async")


# --- a fork while another thread is inside a token fetch ---------------------------------------

CHILD_TIMEOUT = 10.0


@dataclasses.dataclass
class _HeldToken:
    """The sandbox behind a proxy that holds the first token request until ``release``."""

    environment: Environment
    mine: str
    theirs: str
    arrived: threading.Event
    release: threading.Event


@contextmanager
def _held_token(server: SandboxServer) -> Iterator[_HeldToken]:
    with DebtCore(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, environment=server.environment
    ) as setup:
        mine = setup.credit.pull_credit_report(input=_applicant("TPARENT", "999005555"))
        theirs = setup.credit.pull_credit_report(input=_applicant("TCHILD", "999006666"))
    numbers = itertools.count()
    arrived, release = threading.Event(), threading.Event()

    def proxy(request: RawRequest) -> list[Step]:
        if request.path.endswith("/oauth2/v2.0/token") and next(numbers) == 0:
            arrived.set()
            release.wait(CHILD_BUDGET * 2)
        upstream = httpx.post(
            server.base_url + request.path,
            content=request.body,
            headers={"content-type": request.headers.get("content-type", "")},
            timeout=CALL_TIMEOUT,
        )
        return answer(upstream.status_code, upstream.content)

    with raw_server(api=proxy, token=proxy) as raw:
        held = _HeldToken(
            dataclasses.replace(server.environment, authority=raw.base_url),
            mine.credit_report_id,
            theirs.credit_report_id,
            arrived,
            release,
        )
        try:
            yield held
        finally:
            release.set()


def _fork_timed(held: _HeldToken, fetch: Callable[[str], str]) -> str:
    """Once the parent's token request is held: fork a child that fetches its own report."""
    assert held.arrived.wait(CALL_TIMEOUT), "the parent's token request never arrived"

    def child() -> str:
        started = time.monotonic()
        outcome = _outcome(lambda: fetch(held.theirs), held.theirs, held.mine)
        return f"{outcome} in {time.monotonic() - started:.2f}"

    pid, read_end = _fork(child)
    return _reap(pid, read_end)


def _check_child(child: str, face: str) -> None:
    print(f"\n{face}, forked during a token fetch: child {child}")
    outcome, _, took = child.partition(" in ")
    # Before the reset the child waited for ever on the lock of a fetch it does not have.
    assert outcome == "own", child
    assert float(took) < CHILD_TIMEOUT, child


def test_a_child_forked_during_a_threads_token_fetch_gets_its_own_token(
    server: SandboxServer,
) -> None:
    with _held_token(server) as held:
        debtcore = DebtCore(
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, environment=held.environment
        )
        parent: list[str] = []

        def fetch(report_id: str, timeout: float = CHILD_TIMEOUT) -> str:
            return debtcore.credit.credit_report(report_id, timeout=timeout).id

        fetcher = threading.Thread(
            target=lambda: parent.append(
                _outcome(lambda: fetch(held.mine, CALL_TIMEOUT * 3), held.mine, held.theirs)
            ),
            daemon=True,
        )
        fetcher.start()
        try:
            child = _fork_timed(held, fetch)
        finally:
            held.release.set()
            fetcher.join(CALL_TIMEOUT * 3)
            debtcore.close()
    _check_child(child, "sync")
    assert parent == ["own"]


def test_a_child_forked_during_a_tasks_token_fetch_gets_its_own_token(
    server: SandboxServer,
) -> None:
    with _held_token(server) as held:
        debtcore = AsyncDebtCore(
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, environment=held.environment
        )

        async def fetch(report_id: str, timeout: float = CHILD_TIMEOUT) -> str:
            return (await debtcore.credit.credit_report(report_id, timeout=timeout)).id

        loop = _LoopThread()
        pending = asyncio.run_coroutine_threadsafe(fetch(held.mine, CALL_TIMEOUT * 3), loop.loop)
        try:
            child = _fork_timed(held, lambda report_id: asyncio.run(fetch(report_id)))
        finally:
            held.release.set()
            parent = _outcome(lambda: pending.result(CALL_TIMEOUT * 3), held.mine, held.theirs)
            loop.run(debtcore.aclose())
            loop.stop()
    _check_child(child, "async")
    assert parent == "own"
