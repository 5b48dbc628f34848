"""examples/app's own tests, run as its users run them: with the plugin from this checkout, and in
a fresh virtualenv that installed only the built wheel (first without the sandbox extra)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tests.support.wheel_venv import WheelVenv, run

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "app"
PLAIN_TEST = "def test_plain():\n    assert 1 + 1 == 2\n"


def _copy_app(destination: Path) -> Path:
    project = destination / "app"
    shutil.copytree(APP, project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return project


def test_example_app_tests_pass_with_the_plugin(tmp_path: Path) -> None:
    project = _copy_app(tmp_path)  # outside the repository: our conftest.py files do not apply
    done = run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider"], project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout and "full flow in" in done.stdout


def test_example_app_in_a_virtualenv_with_only_the_wheel(tmp_path: Path) -> None:
    venv = WheelVenv(tmp_path)
    venv.install(str(venv.wheel), "pytest", "pytest-asyncio")
    python = venv.python

    project = _copy_app(tmp_path)
    (project / "tests" / "test_plain.py").write_text(PLAIN_TEST)
    pytest = [python, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider"]

    # Without the sandbox extra the plugin still loads: a test that does not use it passes, and
    # one that does fails with what to install.
    plain = run([*pytest, "tests/test_plain.py"], project)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    missing = run([*pytest, "tests/test_enroll.py::test_failed_report"], project)
    assert missing.returncode == 1, missing.stdout
    assert "pip install 'alleviate-debtcore[sandbox]'" in missing.stdout

    # What the message says to install; the in-process path then runs without uvicorn (test_enrolls
    # checks it) or a socket.
    venv.install(f"{venv.wheel}[sandbox]")
    done = run(pytest, project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 passed" in done.stdout
    print(next(line for line in done.stdout.splitlines() if "full flow in" in line))
