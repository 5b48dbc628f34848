"""The README's test-kit example works as written: copied verbatim into a fresh project that has
only the wheel (with the sandbox extra), pytest and pytest-asyncio, it passes in pytest-asyncio's
default strict mode and in auto mode, without a warning."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.wheel_venv import ROOT, WheelVenv, run


def _readme_kit() -> tuple[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Testing your code") :]
    section = section[: section.index("\n## ", 1)]
    test = re.findall(r"```python\n(.*?)```", section, re.S)[0]
    config = re.findall(r"```toml\n(.*?)```", section, re.S)[0]
    return test, config


def test_readme_kit_block_is_the_documented_example() -> None:
    test, config = _readme_kit()
    assert "@pytest.mark.asyncio" in test and "async def test_" in test
    assert "asyncio_mode" not in config  # as written, the project runs in the default strict mode


def test_readme_kit_example_in_a_fresh_project(tmp_path: Path) -> None:
    test, config = _readme_kit()
    venv = WheelVenv(tmp_path)
    venv.install(f"{venv.wheel}[sandbox]", "pytest", "pytest-asyncio")
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_debtcore.py").write_text(test)
    pytest = [venv.python, "-m", "pytest", "-p", "no:cacheprovider"]  # the header names the mode

    def passes(*options: str) -> str:
        done = run([*pytest, *options], project)
        output = done.stdout + done.stderr
        assert done.returncode == 0, output
        assert "1 passed" in output and "not natively supported" not in output
        return output

    # No configuration at all: strict mode runs it (pytest-asyncio may warn about its own
    # fixture loop scope, which the README's configuration sets).
    passes()
    # The README's configuration: strict mode, and no warning of any kind.
    (project / "pyproject.toml").write_text(config)
    assert re.search(r"asyncio: mode=(Mode\.)?strict", passes("-W", "error"), re.I)
    # ... where the mark is what makes it run: without it, the test would not.
    (project / "tests" / "unmarked.py").write_text(test.replace("@pytest.mark.asyncio\n", ""))
    unmarked = run([*pytest, "tests/unmarked.py"], project)
    assert unmarked.returncode != 0 and "not natively supported" in unmarked.stdout
    (project / "tests" / "unmarked.py").unlink()
    # Auto mode: the mark is optional and harmless.
    (project / "pyproject.toml").write_text(config + 'asyncio_mode = "auto"\n')
    assert re.search(r"asyncio: mode=(Mode\.)?auto", passes("-W", "error"), re.I)
