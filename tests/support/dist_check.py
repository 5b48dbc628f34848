"""Build the sdist and the wheel once and check them: what the release workflow publishes.

``python -m tests.support.dist_check [--tag v0.2.0] [--no-isolation] [--outdir dist]`` builds with
``python -m build`` (the wheel from the sdist), fails on any warning the build prints, runs
``twine check --strict`` and compares the wheel's files with the packages pyproject.toml lists.
tests/test_packaging.py runs the same checks offline (``--no-isolation``).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Python warnings (SetuptoolsDeprecationWarning, BuildBackendWarning, ...) and setuptools' `!!`
# banners; distutils' lowercase "warning: no previously-included files" is only the
# MANIFEST.in exclusions finding nothing to exclude (a tree without bytecode), not a problem.
_WARNING = re.compile(r"\b[A-Z]\w*Warning\b|^\s*!!\s*$", re.MULTILINE)
# Package data the wheel must carry besides modules.
_DATA = ("py.typed", "*.graphql", "*.json")


def build(outdir: Path, *, isolation: bool = True) -> tuple[Path, Path]:
    """``python -m build``: the sdist, then the wheel built from it. Fails on build warnings."""
    command = [sys.executable, "-m", "build", "--outdir", str(outdir), str(ROOT)]
    if not isolation:
        command.insert(3, "--no-isolation")
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{output}")
    warnings = [line for line in output.splitlines() if _WARNING.search(line)]
    if warnings:
        raise SystemExit("the build warns:\n" + "\n".join(dict.fromkeys(warnings)))
    (sdist,) = outdir.glob("alleviate_debtcore-*.tar.gz")
    (wheel,) = outdir.glob("alleviate_debtcore-*.whl")
    return sdist, wheel


def expected_packages() -> list[str]:
    return list(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )


def wheel_problems(wheel: Path) -> list[str]:
    """What is missing from the wheel or does not belong in it."""
    packages = {name.replace(".", "/") for name in expected_packages()}
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(metadata_name).decode())
    dist_info = metadata_name.rsplit("/", 1)[0]
    problems = [
        f"{name}: not in a listed package"
        for name in names
        if not name.startswith(f"{dist_info}/") and name.rsplit("/", 1)[0] not in packages
    ]
    files = set(names)
    problems += [
        f"{p}/__init__.py missing" for p in sorted(packages) if f"{p}/__init__.py" not in files
    ]
    for needed in (
        "alleviate_debtcore/py.typed",
        "alleviate_debtcore/auth/py.typed",
        "alleviate_debtcore/schemas/credit.graphql",
        "alleviate_debtcore/generated/operations.json",
        f"{dist_info}/licenses/LICENSE",
        f"{dist_info}/entry_points.txt",
    ):
        if needed not in files:
            problems.append(f"{needed} missing")
    problems += [f"{n}: bytecode" for n in names if "__pycache__" in n or n.endswith(".pyc")]
    if metadata.get("License-Expression") != "MIT":
        problems.append(f"License-Expression is {metadata.get('License-Expression')!r}, not MIT")
    if "Typing :: Typed" not in metadata.get_all("Classifier", []):
        problems.append("no Typing :: Typed classifier")
    return problems


def sdist_problems(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    return [
        f"{needed} missing from the sdist"
        for needed in ("LICENSE", "CHANGELOG.md", "SECURITY.md", "pyproject.toml", "Makefile")
        if needed not in names
    ]


def version_of(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, default=ROOT / "dist")
    parser.add_argument("--tag", help="the release tag; must be v + the built version")
    parser.add_argument("--no-isolation", action="store_true", help="build with this venv's tools")
    args = parser.parse_args(argv)
    sdist, wheel = build(args.outdir, isolation=not args.no_isolation)
    subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)], check=True
    )
    problems = wheel_problems(wheel) + sdist_problems(sdist)
    if args.tag is not None and args.tag != f"v{version_of(wheel)}":
        problems.append(f"tag {args.tag} does not name the built version {version_of(wheel)}")
    for problem in problems:
        print(f"dist check: {problem}", file=sys.stderr)
    if not problems:
        print(f"dist check: {sdist.name} and {wheel.name} are ready")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
