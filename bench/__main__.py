"""``python -m bench [--smoke] [--only NAME ...] [--output PATH]``: run, print, write JSON.

Writes ``bench/results/latest.json`` (machine, parameters, N, medians, quartiles, ratios,
targets) and ``latest.md`` (the Markdown table). Exit status 0 when every scenario ran, whether or
not its targets were met: targets are reported, not enforced, so a noisy machine cannot fail CI.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

from ._machine import describe_machine, one_line
from ._report import document, markdown_table, text_table
from ._result import ScenarioResult
from ._scenario import Context
from .scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def _arguments(argv: list[str]) -> argparse.Namespace:
    names = [scenario.name for scenario in SCENARIOS]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny N: prove every scenario runs")
    parser.add_argument(
        "--only", action="append", choices=names, metavar="NAME", help=f"one of {', '.join(names)}"
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS / "latest.json", help="the JSON file to write"
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _arguments(argv)
    if args.list:
        for scenario in SCENARIOS:
            print(f"{scenario.name:22} {scenario.title}")
        return 0
    selected = [s for s in SCENARIOS if args.only is None or s.name in args.only]
    machine = describe_machine(ROOT)
    results: list[ScenarioResult] = []
    failed: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="debtcore-bench-") as workdir:
        context = Context(smoke=args.smoke, workdir=Path(workdir))
        for scenario in selected:
            print(f"running {scenario.name} ...", file=sys.stderr, flush=True)
            scenario_started = time.perf_counter()
            try:
                result = scenario.run(context)
            except Exception:  # report the others; the exit status says one failed
                traceback.print_exc()
                failed.append(scenario.name)
                continue
            result.elapsed_s = time.perf_counter() - scenario_started
            results.append(result)
    print(text_table(results, one_line(machine)))
    print(f"total {time.perf_counter() - started:.1f} s", file=sys.stderr)
    output: Path = args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    report = document(results, machine, smoke=args.smoke, argv=argv)
    report["failed"] = failed
    report["total_s"] = round(time.perf_counter() - started, 1)
    output.write_text(json.dumps(report, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown_table(results) + "\n")
    print(f"wrote {output} and {output.with_suffix('.md')}", file=sys.stderr)
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
