"""Take new SDL in: report the changes, copy the files into schemas/, regenerate generated/.

    python -m codegen.schema_update NEW_SDL_DIR [--report report.md]    (make schema-update SDL=...)

Exit codes are those of `debtcore schema diff`: 0 safe, 1 breaks our operations (nothing is
copied: fix queries/ first, then run again), 2 other breaking or dangerous changes (copied and
regenerated: review the report), 3 bad input.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from alleviate_debtcore.cli._schema import (
    EXIT_AFFECTS_OPERATIONS,
    EXIT_USAGE,
    diff_schemas,
    load_sdl,
)
from alleviate_debtcore.errors import SchemaToolError

from .generate import GENERATED, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bring new SDL into schemas/ and regenerate.")
    parser.add_argument("sdl", type=Path, help="folder (or file) of <service>.graphql SDL")
    parser.add_argument("--report", type=Path, help="also write the report here, as Markdown")
    args = parser.parse_args(argv)
    try:
        new = load_sdl(args.sdl)
        report = diff_schemas(Path("schemas"), args.sdl, queries=Path("queries"))
    except SchemaToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    text = report.to_text()
    print(text)
    if args.report:
        args.report.write_text(f"## Schema diff\n\n```\n{text}\n```\n")
    if report.exit_code == EXIT_AFFECTS_OPERATIONS:
        print("schemas/ left unchanged: update queries/ for the new schema first.")
        return report.exit_code
    for service in new:
        shutil.copyfile(args.sdl / f"{service}.graphql" if args.sdl.is_dir() else args.sdl,
                        Path("schemas") / f"{service}.graphql")  # fmt: skip
    generate(GENERATED)
    print(f"copied {', '.join(sorted(new))} into schemas/ and regenerated generated/")
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
