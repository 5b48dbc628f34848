"""Run the experiments, print a table, write ``bench/results/experiments.json``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from .._machine import describe_machine, one_line
from .._report import document, markdown_table, text_table
from .._result import ScenarioResult
from .._scenario import Context
from . import imports, overhead

RESULTS = Path(__file__).resolve().parent.parent / "results"
EXPERIMENTS: dict[str, Callable[[Context], ScenarioResult]] = {
    "overhead_inprocess": lambda ctx: asyncio.run(overhead.in_process(ctx)),
    "overhead_loopback": lambda ctx: asyncio.run(overhead.loopback(ctx)),
    "imports": imports.run,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.experiments")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--only", action="append", choices=list(EXPERIMENTS))
    parser.add_argument("--output", type=Path, default=RESULTS / "experiments.json")
    args = parser.parse_args(argv)
    results: list[ScenarioResult] = []
    with tempfile.TemporaryDirectory(prefix="debtcore-experiments-") as workdir:
        context = Context(smoke=args.smoke, workdir=Path(workdir))
        for name, run in EXPERIMENTS.items():
            if args.only is not None and name not in args.only:
                continue
            print(f"running {name} ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            try:
                result = run(context)
            except Exception:  # a stale experiment (its change applied) must not hide the rest
                traceback.print_exc()
                continue
            result.elapsed_s = time.perf_counter() - started
            results.append(result)
            print(text_table([result], "-"), file=sys.stderr, flush=True)
    machine = describe_machine(RESULTS.parent.parent)
    print(text_table(results, one_line(machine)))
    output: Path = args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    report = document(results, machine, smoke=args.smoke, argv=argv)
    report["command"] = "python -m bench.experiments " + " ".join(argv)
    output.write_text(json.dumps(report, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown_table(results) + "\n")
    print(f"wrote {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
