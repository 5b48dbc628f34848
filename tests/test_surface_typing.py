"""pyright strict catches misuse of the call surface: the signatures are the contract.

Each snippet is checked in its own file with the project's settings; a correct use must give
0 errors and each misuse at least one, reported on the misspelt or mistyped argument."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYRIGHT = Path(sys.executable).parent / "pyright"

HEADER = """from alleviate_debtcore import AsyncDebtCore


async def probe(debtcore: AsyncDebtCore) -> None:
"""

CORRECT = """
    await debtcore.credit.credit_report("cr-1", timeout=5, max_retries=0, extra_headers={"a": "b"})
    await debtcore.credit.credit_report(credit_report_id="cr-1")
    await debtcore.credit.credit_report(input={"credit_report_id": "cr-1"})
    await debtcore.underwriting.check_applicant_eligibility_v2(
        application_type="SINGLE",
        primary_report_id="cr-1",
        applicant_contact_info={"applicant_state": "AL"},
        flow_type="OPENER",
    )
    await debtcore.enrollment.enrollment_status("enroll-1")
    async for node in debtcore.credit.credit_reports(first=10, where={"source": "CRS_EQUIFAX"}):
        print(node.id)
"""

MISUSES = {
    "misspelt per-call option": 'await debtcore.credit.credit_report("cr-1", timeuot=5)',
    "misspelt flattened field": 'await debtcore.credit.credit_report(credit_report_idd="cr-1")',
    "misspelt enum literal": """await debtcore.underwriting.check_applicant_eligibility_v2(
    application_type="SINGEL",
    primary_report_id="cr-1",
    applicant_contact_info={"applicant_state": "AL"},
)""",
    "misspelt dict key": """await debtcore.underwriting.check_applicant_eligibility_v2(
    application_type="SINGLE",
    primary_report_id="cr-1",
    applicant_contact_info={"applicant_stat": "AL"},
)""",
    "int where the id string goes": "await debtcore.enrollment.enrollment_status(12345)",
    "both forms at once": (
        'await debtcore.credit.credit_report("cr-1", input={"credit_report_id": "x"})'
    ),
    "missing required field": "await debtcore.offers.save_offer(revision=2)",
}


# What the first error says: the argument it names, or that no overload accepts the call.
EXPECTED = {
    "misspelt per-call option": "No overloads",
    "misspelt flattened field": "No overloads",
    "misspelt enum literal": '"application_type"',
    "misspelt dict key": '"applicant_contact_info"',
    "int where the id string goes": '"enrollment_id"',
    "both forms at once": "No overloads",
    "missing required field": "No overloads",
}


def _errors(tmp_path: Path, snippets: dict[str, str]) -> dict[str, list[str]]:
    """pyright's error messages per snippet, all snippets checked in one pyright run."""
    files = {}
    for index, (name, body) in enumerate(snippets.items()):
        path = tmp_path / f"probe_{index}.py"
        path.write_text(HEADER + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n")
        files[str(path)] = name
    done = subprocess.run(
        [str(PYRIGHT), "--outputjson", "--project", str(ROOT / "pyproject.toml"), *files],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    report = json.loads(done.stdout)
    found: dict[str, list[str]] = {name: [] for name in snippets}
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            found[files[diagnostic["file"]]].append(diagnostic["message"])
    return found


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    return _errors(tmp_path_factory.mktemp("pyright"), {"correct": CORRECT, **MISUSES})


def test_correct_use_has_no_errors(results: dict[str, list[str]]) -> None:
    assert results["correct"] == []


@pytest.mark.parametrize("misuse", list(MISUSES))
def test_misuse_is_a_type_error(misuse: str, results: dict[str, list[str]]) -> None:
    assert results[misuse], f"pyright accepted: {MISUSES[misuse]}"
    assert EXPECTED[misuse] in results[misuse][0]
