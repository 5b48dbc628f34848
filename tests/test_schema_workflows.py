"""The CI workflows pass zizmor, GitHub Actions' security lint, run offline (no GitHub API)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
ZIZMOR = str(Path(sys.executable).parent / "zizmor")


def test_zizmor_finds_nothing_in_the_workflows() -> None:
    done = subprocess.run(
        [ZIZMOR, "--offline", "--format", "json", str(WORKFLOWS)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []


def test_zizmor_would_catch_the_issues_findings(tmp_path: Path) -> None:
    # The lint is live: the workflow shape the issue reported gives findings.
    (tmp_path / "bad.yml").write_text(
        "on: push\n"
        "permissions: {}\n"
        "jobs:\n"
        "  a:\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2\n"
        "      - id: fetch\n"
        '        run: echo "dir=x" >> "$GITHUB_OUTPUT"\n'
        '      - run: make schema-update SDL="${{ steps.fetch.outputs.dir }}"\n'
    )
    done = subprocess.run(
        [ZIZMOR, "--offline", "--format", "json", str(tmp_path / "bad.yml")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    audits = {finding["ident"] for finding in json.loads(done.stdout)}
    assert {"artipacked", "template-injection"} <= audits


def test_schema_sync_judges_with_the_json_report() -> None:
    text = (WORKFLOWS / "schema-sync.yml").read_text()
    assert "debtcore schema diff schemas" in text and "--format json" in text
    assert "jq -r" in text
