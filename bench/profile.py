"""``python -m bench.profile [--calls N] [--top K] [--against floor|raw] [--tree]``: where the
typed overhead goes.

Runs ``N`` sequential in-process calls of two arms of scenario 1a (same responder, body and warm
EntraAuth) under cProfile and prints, per function, the self time per call the typed arm spends
beyond the other: by default the floor (raw httpx plus one-pass validation into the same
models), so what is left is the engine's own work, function by function (cProfile inflates
small functions, so read it for ranking, and scenario 1a for totals). ``--tree``: a pyinstrument
call tree of the typed arm instead. The report also goes to ``bench/results/profile.txt``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
from pathlib import Path
from typing import Any, cast

import httpx
from pyinstrument import Profiler

from alleviate_debtcore.testing import InProcessTransport

from ._apps import TokenEndpoint, fixed_responder
from ._auth import IN_PROCESS_ENVIRONMENT, InProcessAuth
from ._operation import capture_credit_report
from .scenarios._clients import FloorArm, RawArm, TypedArm
from .scenarios.overhead import DEBTS, report_body

RESULTS = Path(__file__).resolve().parent / "results"
SelfTimes = dict[str, tuple[int, float]]


def _self_times(profile: cProfile.Profile) -> SelfTimes:
    # pstats keeps its table in an undocumented attribute: (file, line, name) -> (cc, nc, tt, ...)
    entries: dict[tuple[str, int, str], tuple[Any, ...]] = cast(Any, pstats.Stats(profile)).stats
    table: SelfTimes = {}
    for (filename, line, function), (_, calls, self_time, *_rest) in entries.items():
        short = filename.split("site-packages/")[-1].split("/work/main/")[-1]
        table[f"{short}:{line}({function})"] = (int(calls), float(self_time))
    return table


def _difference(typed: SelfTimes, raw: SelfTimes, calls: int, top: int, against: str) -> str:
    rows: list[tuple[float, str, int, int]] = []
    for name in typed.keys() | raw.keys():
        typed_calls, typed_time = typed.get(name, (0, 0.0))
        raw_calls, raw_time = raw.get(name, (0, 0.0))
        rows.append(((typed_time - raw_time) / calls * 1e6, name, typed_calls, raw_calls))
    rows.sort(reverse=True)
    total_typed = sum(t for _, t in typed.values()) / calls * 1e6
    total_raw = sum(t for _, t in raw.values()) / calls * 1e6
    lines = [
        f"self time per call under cProfile: typed {total_typed:.0f} us, {against} "
        f"{total_raw:.0f} us",
        f"{'typed-' + against + ' us':>14}  {'typed n':>8}  {against + ' n':>8}  function",
    ]
    lines += [f"{d:14.2f}  {tn:8d}  {rn:8d}  {name}" for d, name, tn, rn in rows[:top]]
    return "\n".join(lines)


async def _arms(against: str) -> tuple[TypedArm, FloorArm | RawArm, InProcessAuth]:
    operation = await capture_credit_report()
    responder = fixed_responder(report_body(operation, DEBTS))

    def http() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=InProcessTransport(responder))

    auth = InProcessAuth.create(TokenEndpoint(), IN_PROCESS_ENVIRONMENT)
    await auth.warm()
    typed = TypedArm.create(auth.auth, IN_PROCESS_ENVIRONMENT, http)
    other = FloorArm if against == "floor" else RawArm
    raw = other.create(auth.auth, IN_PROCESS_ENVIRONMENT.url("credit"), operation, http)
    await typed.batch(200)  # warm-up: validators, pools, caches
    await raw.batch(200)
    return typed, raw, auth


async def profile(calls: int, top: int, tree: bool, against: str = "floor") -> str:
    typed, raw, auth = await _arms(against)
    try:
        if tree:
            profiler = Profiler(interval=0.0001)
            profiler.start()
            await typed.batch(calls)
            profiler.stop()
            return profiler.output_text()
        tables: list[SelfTimes] = []
        for arm in (typed, raw):
            profile = cProfile.Profile()
            profile.enable()
            await arm.batch(calls)
            profile.disable()
            tables.append(_self_times(profile))
        return _difference(tables[0], tables[1], calls, top, against)
    finally:
        await typed.aclose()
        await raw.aclose()
        await auth.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--against", choices=("floor", "raw"), default="floor", help="the arm to subtract"
    )
    parser.add_argument("--tree", action="store_true", help="pyinstrument tree of the typed arm")
    args = parser.parse_args()
    report = asyncio.run(profile(args.calls, args.top, args.tree, args.against))
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "profile.txt").write_text(report + "\n")


if __name__ == "__main__":
    main()
