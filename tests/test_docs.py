"""The docs are code: README's quick start runs unmodified against the local sandbox, api.md's
and every docs page's Python blocks type-check under pyright strict (README's:
tests/test_typing.py), the test kit's examples run under pytest, and the README stays a page an
application developer reads: short, with the install extras, linking only to what exists."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from alleviate_debtcore import errors
from alleviate_debtcore.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parent.parent
PYRIGHT = Path(sys.executable).parent / "pyright"
DOCS = ROOT / "docs"
README_MAX_LINES = 400


def _blocks(text: str, language: str = "python") -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def _docs_pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


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


def _as_module(block: str) -> str:
    """A block as a module: as it is, or as a coroutine's body when it awaits at top level."""
    try:
        compile(block, "<docs>", "exec")  # ast.parse alone lets a top-level await through
    except SyntaxError:
        return "async def _snippet() -> None:\n" + textwrap.indent(block, "    ")
    return block


def test_docs_python_blocks_type_check(tmp_path: Path) -> None:
    files: list[str] = []
    for page in _docs_pages():
        for index, block in enumerate(_blocks(page.read_text(encoding="utf-8"))):
            name = f"{page.relative_to(DOCS).with_suffix('').as_posix().replace('/', '_')}_{index}"
            path = tmp_path / f"docs_{name.replace('-', '_')}.py"
            header = "# pyright: strict, reportUnusedVariable=false, reportUnusedFunction=false\n"
            path.write_text(header + _as_module(block))
            files.append(str(path))
    assert len(files) >= 15
    done = subprocess.run(
        [str(PYRIGHT), "--outputjson", "--project", str(ROOT / "pyproject.toml"), *files],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    report = json.loads(done.stdout)
    problems = [
        f"{Path(d['file']).name}:{d['range']['start']['line']}: {d['message']}"
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    assert problems == []


def test_testing_page_examples_run_under_pytest(tmp_path: Path) -> None:
    # The test kit's examples are tests: run them, in pytest-asyncio's strict mode (the default).
    tests = [b for b in _blocks((DOCS / "testing.md").read_text()) if "def test_" in b]
    assert len(tests) >= 2
    for index, block in enumerate(tests):
        (tmp_path / f"test_docs_example_{index}.py").write_text(block)
    (tmp_path / "pyproject.toml").write_text(_blocks((DOCS / "testing.md").read_text(), "toml")[0])
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ALLEVIATE_"))},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(tests)} passed" in done.stdout


def test_readme_is_for_application_developers() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= README_MAX_LINES
    headings = re.findall(r"^## (.+)$", readme, re.M)
    # What an adopter asks first comes first; the developer loop lives in CONTRIBUTING.md.
    assert headings[:2] == ["Install", "Quick start"]
    for needed in ("Errors", "Timeouts and retries", "Testing your code", "Deploying"):
        assert needed in headings
    assert "make install" not in readme


def test_readme_install_section_names_every_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = set(project["optional-dependencies"]) - {"dev"}  # the dev tools are not for users
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install = readme[readme.index("## Install") : readme.index("## Quick start")]
    table = set(re.findall(r"^\| `([a-z-]+)` \|", install, re.M))
    assert table == extras


@pytest.mark.parametrize("page", ["README.md", "CONTRIBUTING.md"])
def test_relative_links_resolve(page: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
    assert links
    missing = [link for link in links if "://" not in link and not (ROOT / link).exists()]
    assert missing == []


def test_errors_page_names_every_exception() -> None:
    page = (DOCS / "errors.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    classes = [
        name
        for name in errors.__all__
        if isinstance(getattr(errors, name), type) and issubclass(getattr(errors, name), Exception)
    ]
    assert "NotFoundError" in classes
    assert [name for name in classes if f"`{name}`" not in page] == []
    # The README's table: every class a caller may catch (the bases are named in the text).
    bases = {"DebtCoreError", "APIError", "APIStatusError", "CredentialError", "SchemaToolError",
             "TokenCacheError"}  # fmt: skip
    assert [name for name in classes if name not in bases and f"`{name}`" not in readme] == []
    assert "DebtCoreError" in readme
