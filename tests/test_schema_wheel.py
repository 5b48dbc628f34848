"""`debtcore schema diff` from the installed wheel, in a folder outside the repository: it
judges the changes against the operations the package was generated from, shipped in the wheel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.wheel_venv import ROOT, WheelVenv, run

SERVICES = ("credit", "underwriting", "offers", "enrollment")


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> WheelVenv:
    venv = WheelVenv(tmp_path_factory.mktemp("wheel"))
    venv.install(f"{venv.wheel}[sandbox]")  # graphql-core comes with the sandbox extra
    return venv


def test_schema_diff_from_the_installed_wheel_uses_the_packages_operations(
    venv: WheelVenv, tmp_path: Path
) -> None:
    debtcore = str(venv.bin / "debtcore")

    app = tmp_path / "app"  # an application folder: no queries/, no schemas/
    for service in SERVICES:
        text = (ROOT / "schemas" / f"{service}.graphql").read_text()
        (app / "old").mkdir(parents=True, exist_ok=True)
        (app / "new").mkdir(exist_ok=True)
        (app / "old" / f"{service}.graphql").write_text(text)
        if service == "credit":  # CreditReportDebt.creditorName, selected by six operations
            text = text.replace("  creditorName: String\n", "", 1)
        (app / "new" / f"{service}.graphql").write_text(text)

    where = run([venv.python, "-c", "import alleviate_debtcore as a; print(a.__file__)"], app)
    assert where.stdout.startswith(str(venv.bin.parent)), where.stdout + where.stderr
    done = run([debtcore, "schema", "diff", "old", "new", "--format", "json"], app)
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["operations"] == "the operations alleviate_debtcore was generated from"
    credit = report["services"][0]
    assert set(credit["broken_operations"]) == {
        "AddLeadIdToCreditReport", "CreditReport", "CreditReports", "JointCreditReport",
        "NormalizeRawReport", "PullCreditReport",
    }  # fmt: skip
    missing = run([debtcore, "schema", "diff", "old", "new", "--queries", "queries"], app)
    assert missing.returncode == 3 and "is not a folder" in missing.stderr

    # OLD left out: NEW against the SDL shipped in the wheel, the same verdict.
    packaged = run([debtcore, "schema", "diff", "new", "--format", "json"], app)
    assert packaged.returncode == 1, packaged.stdout + packaged.stderr
    assert json.loads(packaged.stdout)["services"] == report["services"]
    # `schemas` exists only in the repository: the error says where it looked and what to do.
    named = run([debtcore, "schema", "diff", "schemas", "new"], app)
    assert named.returncode == 3
    assert f"OLD schemas does not exist (looked in {app})" in named.stderr
    assert "leave OLD out" in named.stderr


def test_schema_check_with_the_plain_wheel_names_the_codegen_extra(venv: WheelVenv) -> None:
    # In the repository (codegen/ is there), without ariadne-codegen installed.
    done = run([str(venv.bin / "debtcore"), "schema", "check"], ROOT)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "pip install 'alleviate-debtcore[codegen]'" in done.stderr
