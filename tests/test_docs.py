"""The docs are code: README's quick start runs unmodified against the local sandbox, and
api.md's Python blocks type-check under pyright strict (README's: tests/test_typing.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from alleviate_debtcore.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parent.parent
PYRIGHT = Path(sys.executable).parent / "pyright"


def _quick_start() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Quick start") :]
    return re.findall(r"```python\n(.*?)```", section, re.S)[0]


def test_readme_quick_start_runs_against_the_sandbox() -> None:
    code = _quick_start()
    assert "AsyncDebtCore.from_env()" in code  # what `debtcore sandbox` tells you to export
    with SandboxServer() as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALLEVIATE_")} | {
            "ALLEVIATE_BASE_URL": server.base_url,
            "ALLEVIATE_CLIENT_ID": "local-client",
            "ALLEVIATE_CLIENT_SECRET": "local-secret",
        }
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 0, done.stderr
    assert "report cr-abc123def456: COMPLETED" in done.stdout
    assert len(done.stdout.splitlines()) > 2  # its debts


def test_api_md_python_blocks_type_check(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "api.md").read_text(), re.S)
    assert len(blocks) == 4  # one per service
    files = []
    for index, block in enumerate(blocks):
        path = tmp_path / f"api_{index}.py"
        path.write_text("# pyright: strict, reportUnusedVariable=false\n" + block)
        files.append(str(path))
    done = subprocess.run(
        [str(PYRIGHT), "--outputjson", "--project", str(ROOT / "pyproject.toml"), *files],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    report = json.loads(done.stdout)
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert errors == []


def test_api_md_lists_every_method_in_service_order() -> None:
    text = (ROOT / "api.md").read_text()
    headings = re.findall(r"^### `(\w+)\.(\w+)`", text, re.M)
    services = [s for s, _ in headings]
    assert services == sorted(
        services, key=["credit", "underwriting", "offers", "enrollment"].index
    )
    assert len(headings) == 33 + 2  # every operation, plus the two waiters
    assert ("credit", "wait_for_credit_report") in headings
    assert ("enrollment", "wait_for_enrollment") in headings
