"""examples/app's own tests, run as its users run them: with the plugin from this checkout, and in
a fresh virtualenv that installed only the built wheel (first without the sandbox extra)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "app"
PLAIN_TEST = "def test_plain():\n    assert 1 + 1 == 2\n"


def _run(command: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ALLEVIATE_"))}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _copy_app(destination: Path) -> Path:
    project = destination / "app"
    shutil.copytree(APP, project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return project


def test_example_app_tests_pass_with_the_plugin(tmp_path: Path) -> None:
    project = _copy_app(tmp_path)  # outside the repository: our conftest.py files do not apply
    done = _run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider"], project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout and "full flow in" in done.stdout


def test_example_app_in_a_virtualenv_with_only_the_wheel(tmp_path: Path) -> None:
    wheel_dir = str(tmp_path / "dist")
    build = ["pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", wheel_dir]
    built = _run([sys.executable, "-m", *build, str(ROOT)], ROOT)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("alleviate_debtcore-*.whl")
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], tmp_path).returncode == 0
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    installed = _run([*pip, str(wheel), "pytest", "pytest-asyncio"], tmp_path)
    assert installed.returncode == 0, installed.stderr

    project = _copy_app(tmp_path)
    (project / "tests" / "test_plain.py").write_text(PLAIN_TEST)
    pytest = [python, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider"]

    # Without the sandbox extra the plugin still loads: a test that does not use it passes, and
    # one that does fails with what to install.
    plain = _run([*pytest, "tests/test_plain.py"], project)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    missing = _run([*pytest, "tests/test_enroll.py::test_failed_report"], project)
    assert missing.returncode == 1, missing.stdout
    assert "pip install 'alleviate-debtcore[sandbox]'" in missing.stdout

    # The in-process path needs ariadne and graphql-core, not uvicorn (test_enrolls checks it).
    extra = _run([*pip, "ariadne>=0.23,<2", "graphql-core>=3.2,<3.3"], tmp_path)
    assert extra.returncode == 0, extra.stderr
    done = _run(pytest, project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 passed" in done.stdout
    print(next(line for line in done.stdout.splitlines() if "full flow in" in line))
