"""IDE autocompletion is a feature: pyright must see concrete types, from the source tree and
from an installed wheel (pyright is the engine behind VS Code's Pylance)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYRIGHT = Path(sys.executable).parent / "pyright"

PROBE = """
from alleviate_debtcore import AsyncDebtCore, unwrap

async def probe(debtcore: AsyncDebtCore) -> None:
    report = await debtcore.credit.credit_report("x")
    debt = (report.debts or [])[0]
    assert debt is not None
    reveal_type(debt.current_balance)
    reveal_type(report.created_at)
    review = await debtcore.underwriting.check_applicant_eligibility_v2(
        application_type="SINGLE",
        primary_report_id="r",
        applicant_contact_info={"applicant_state": "GA"},
    )
    reveal_type(review.revision)
    reveal_type(review.application_eligibility_review)
    page = await debtcore.credit.credit_reports(first=5)
    reveal_type(page.nodes)
    reveal_type(page.total_count)
    async for node in debtcore.credit.credit_reports(first=5):
        reveal_type(node.report_status)
    payload = await debtcore.credit.with_payload.credit_report("x")
    reveal_type(payload.request_id)
    reveal_type(unwrap(payload).id)
    status = await debtcore.enrollment.wait_for_enrollment("e-1", timeout=5)
    reveal_type(status.create_contact)
"""
EXPECTED = [
    "float | None",
    "datetime | date | None",
    "int",
    "UwEligibilityResultV2FieldsApplicationEligibilityReview | None",  # generated, not Unknown
    "list[CreditReportNodeFields]",
    "int",
    "str | None",
    "str | None",
    "str",
    "EnrollmentStatus",
]


def _pyright(args: list[str], cwd: Path) -> dict[str, object]:
    done = subprocess.run(
        [str(PYRIGHT), "--outputjson", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    return json.loads(done.stdout)


def _check_probe(report: dict[str, object]) -> None:
    diagnostics = report["generalDiagnostics"]
    assert isinstance(diagnostics, list)
    errors = [d for d in diagnostics if d["severity"] == "error"]
    assert errors == []
    revealed = [d["message"] for d in diagnostics if "Type of" in d["message"]]
    assert len(revealed) == len(EXPECTED), revealed
    for message, expected in zip(revealed, EXPECTED, strict=True):
        assert expected in message, message
        assert "Unknown" not in message and "Any" not in message, message


def test_examples_type_check_clean() -> None:
    report = _pyright(["examples"], ROOT)
    assert report["summary"]["errorCount"] == 0, report["generalDiagnostics"]  # type: ignore[index]


def test_nested_result_types_are_concrete_in_the_source_tree(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    _check_probe(_pyright(["--project", str(ROOT / "pyproject.toml"), str(probe)], ROOT))


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation",
         "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = out.glob("alleviate_debtcore-*.whl")
    site = out / "site"
    with zipfile.ZipFile(wheel) as archive:  # a pure-Python wheel installs by unpacking
        archive.extractall(site)
    return site


def test_wheel_carries_every_package_as_real_files(wheel_dir: Path) -> None:
    package = wheel_dir / "alleviate_debtcore"
    for sub in (
        "auth",
        "generated/credit",
        "generated/underwriting",
        "generated/offers",
        "generated/enrollment",
        "schemas",
        "sandbox",
    ):
        assert (package / sub / "__init__.py").is_file(), sub
        assert not (package / sub).is_symlink()
    assert (package / "py.typed").is_file() and (package / "auth" / "py.typed").is_file()
    assert (package / "schemas" / "underwriting.graphql").is_file()


def test_wheel_imports_and_type_checks(wheel_dir: Path, tmp_path: Path) -> None:
    code = "import alleviate_debtcore as a, alleviate_debtcore.credit; print(a.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(wheel_dir), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.stdout.strip().startswith(str(wheel_dir))
    (tmp_path / "probe.py").write_text(PROBE)
    venv = Path(sys.prefix)
    (tmp_path / "pyrightconfig.json").write_text(json.dumps({
        "extraPaths": [str(wheel_dir)], "venvPath": str(venv.parent), "venv": venv.name,
        "typeCheckingMode": "strict", "reportMissingModuleSource": False,
    }))  # fmt: skip
    _check_probe(_pyright(["probe.py"], tmp_path))


def test_readme_python_snippets_type_check(tmp_path: Path) -> None:
    # Docs that match the code: each ```python block of the README, as the body of a coroutine
    # (the snippets use top-level `await`), must pass pyright strict.
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert len(blocks) >= 3
    header = "# pyright: strict, reportUnusedFunction=false, reportUnusedVariable=false\n"
    snippets = [
        f"async def _snippet_{i}() -> None:\n" + textwrap.indent(block, "    ")
        for i, block in enumerate(blocks)
    ]
    probe = tmp_path / "readme_snippets.py"
    probe.write_text(header + "\n\n".join(snippets))
    report = _pyright(["--project", str(ROOT / "pyproject.toml"), str(probe)], ROOT)
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]  # type: ignore[union-attr]
    assert errors == []
