"""`debtcore schema diff` from the built wheel, in a folder outside the repository: it judges
the changes against the operations the package was generated from, shipped in the wheel."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the wheel is built from; alleviate_debtcore/ links to auth/, generated/ and schemas/.
SOURCES = ("pyproject.toml", "README.md", "alleviate_debtcore", "auth", "generated", "schemas")


def _run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=cwd)


def test_schema_diff_from_the_installed_wheel_uses_the_packages_operations(
    tmp_path: Path,
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(
                path, source / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(path, source / name)
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--wheel-dir", str(tmp_path / "dist"), str(source), cwd=tmp_path,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (tmp_path / "dist").glob("alleviate_debtcore-*.whl")

    # A fresh venv with only the wheel (and its console script); the dependencies come from
    # this environment's site-packages through a .pth line, so no package index is needed.
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    installed = _run(
        str(target / "bin" / "pip"), "install", "--quiet", "--no-deps", "--no-index", str(wheel),
        cwd=tmp_path,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    python = target / "bin" / "python"
    site = Path(
        _run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
             cwd=tmp_path).stdout.strip()
    )  # fmt: skip
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    debtcore = target / "bin" / "debtcore"

    app = tmp_path / "app"  # an application folder: no queries/, no schemas/
    (app / "new").mkdir(parents=True)
    for service in ("credit", "underwriting", "offers", "enrollment"):
        text = (ROOT / "schemas" / f"{service}.graphql").read_text()
        (app / "old").mkdir(exist_ok=True)
        (app / "old" / f"{service}.graphql").write_text(text)
        if service == "credit":  # CreditReportDebt.creditorName, selected by six operations
            text = text.replace("  creditorName: String\n", "", 1)
        (app / "new" / f"{service}.graphql").write_text(text)

    where = _run(str(python), "-c", "import alleviate_debtcore; print(alleviate_debtcore.__file__)",
                 cwd=app)  # fmt: skip
    assert where.stdout.startswith(str(site)), where.stdout + where.stderr
    done = _run(str(debtcore), "schema", "diff", "old", "new", "--format", "json", cwd=app)
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["operations"] == "the operations alleviate_debtcore was generated from"
    credit = report["services"][0]
    assert set(credit["broken_operations"]) == {
        "AddLeadIdToCreditReport", "CreditReport", "CreditReports", "JointCreditReport",
        "NormalizeRawReport", "PullCreditReport",
    }  # fmt: skip
    missing = _run(str(debtcore), "schema", "diff", "old", "new", "--queries", "queries", cwd=app)
    assert missing.returncode == 3 and "is not a folder" in missing.stderr
