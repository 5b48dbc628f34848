"""What a release publishes: one version everywhere, the license, the metadata, a clean build, the
release workflow's shape. The build checks are the release workflow's own
(tests/support/dist_check.py), run offline with this venv's build tools."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.support.dist_check import build, sdist_problems, wheel_problems

from alleviate_debtcore import __version__

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
DEBTCORE = str(Path(sys.executable).parent / "debtcore")


def _released_versions() -> list[str]:
    """The changelog's release headings, newest first (Unreleased left out)."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return re.findall(r"^## \[(\d+\.\d+\.\d+[^\]]*)\] - \d{4}-\d{2}-\d{2}$", text, re.MULTILINE)


def test_the_version_is_pyprojects_and_the_changelogs_latest_release() -> None:
    latest = _released_versions()[0]
    assert PROJECT["version"] == latest
    assert "version" not in PROJECT.get("dynamic", [])
    assert __version__ == latest  # read back from the installed metadata (_version.py)
    done = subprocess.run([DEBTCORE, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"debtcore {latest}"


def test_the_changelog_keeps_an_unreleased_section_and_links_every_release() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", text, re.MULTILINE)
    assert headings[0] == "Unreleased"
    unreleased = text.split("## [Unreleased]", 1)[1].split("\n## [", 1)[0]
    assert "EndpointNotFoundError" in unreleased and "NotFoundError" in unreleased
    for version in _released_versions():
        assert re.search(rf"^\[{re.escape(version)}\]: https://", text, re.MULTILINE), version
    assert re.search(r"^\[Unreleased\]: https://.*compare/v", text, re.MULTILINE)


def test_license_is_an_spdx_expression_with_its_file() -> None:
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "Copyright (c) 2026" in text
    # setuptools reads the SPDX form from 77 on; older ones reject it.
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"]


def _ci_pythons() -> tuple[list[str], list[str]]:
    """ci.yml's matrix: the Pythons that must pass, and those allowed to fail."""
    ci = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    required = re.search(r"^\s+python: \[([^\]]*)\]", ci, re.MULTILINE)
    assert required is not None
    optional = re.findall(r'- python: "([\d.]+)"\n\s+experimental: true', ci)
    return re.findall(r'"([\d.]+)"', required.group(1)), optional


def test_python_classifiers_are_the_versions_ci_tests() -> None:
    required, optional = _ci_pythons()
    classifiers = PROJECT["classifiers"]
    listed = [c.rsplit(" ", 1)[1] for c in classifiers if re.fullmatch(r".*:: 3\.\d+", c)]
    assert listed == required
    assert not set(optional) & set(listed)
    assert PROJECT["requires-python"] == f">={required[0]}"
    assert "Typing :: Typed" in classifiers
    # FileTokenCache relies on POSIX file modes (SECURITY.md); CI runs Linux only.
    assert "Operating System :: POSIX" in classifiers
    assert "Operating System :: OS Independent" not in classifiers


def test_project_urls_point_at_the_repository() -> None:
    urls = PROJECT["urls"]
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues", "Source"}
    assert all(url.startswith("https://") for url in urls.values())
    assert urls["Changelog"].endswith("/CHANGELOG.md")


TOOLS = ("ruff", "mypy", "pyright", "zizmor", "pytest", "hypothesis", "build", "pyinstrument")


def test_development_tools_are_dependency_groups_not_published_extras() -> None:
    published = " ".join(
        requirement for extra in PROJECT["optional-dependencies"].values() for requirement in extra
    )
    for tool in TOOLS:
        assert not re.search(rf"\b{tool}\b", published), tool
    assert "dev" not in PROJECT["optional-dependencies"]
    groups = PYPROJECT["dependency-groups"]
    grouped = " ".join(str(item) for items in groups.values() for item in items)
    for tool in TOOLS:
        assert re.search(rf"\b{tool}\b", grouped), tool
    assert {"include-group": "test"} in groups["dev"]


def test_the_security_policy_says_what_a_token_cache_holds() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    for needed in ("FileTokenCache", "RedisTokenCache", "encryption_key", "0600", "os.replace"):
        assert needed in text, needed
    assert "never holds a client secret" in text
    assert "Report" in text and "advisories/new" in text


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist and the wheel, built once for this module; raises on any build warning."""
    return build(tmp_path_factory.mktemp("dist"), isolation=False)


def test_the_build_is_clean_and_the_distributions_hold_what_they_should(
    dists: tuple[Path, Path],
) -> None:
    sdist, wheel = dists
    assert wheel_problems(wheel) == []
    assert sdist_problems(sdist) == []
    twine = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert twine.returncode == 0, twine.stdout + twine.stderr


def test_the_wheel_check_catches_a_stray_file(dists: tuple[Path, Path], tmp_path: Path) -> None:
    spoiled = tmp_path / dists[1].name
    shutil.copy(dists[1], spoiled)
    with zipfile.ZipFile(spoiled, "a") as archive:
        archive.writestr("codegen/plugin.py", "")
    assert wheel_problems(spoiled) == ["codegen/plugin.py: not in a listed package"]


RELEASE = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")


def test_the_release_workflow_publishes_a_tag_once_built_with_trusted_publishing() -> None:
    assert re.search(r"^on:\n  push:\n    tags: \[\"v\*\"\]$", RELEASE, re.MULTILINE)
    build_job, publish_job = RELEASE.split("\n  publish:\n")
    assert "python -m tests.support.dist_check" in build_job and "--tag" in build_job
    assert "id-token" not in build_job  # only the job that publishes can mint a token
    assert "id-token: write" in publish_job and "name: pypi" in publish_job
    assert "needs: build" in publish_job
    assert "actions/attest-build-provenance@" in publish_job
    assert "pypa/gh-action-pypi-publish@" in publish_job
    assert "password" not in RELEASE and "secrets." not in RELEASE
    assert "python -m build" not in publish_job  # what is published is what was checked


@pytest.mark.parametrize("workflow", sorted((ROOT / ".github" / "workflows").glob("*.yml")))
def test_actions_are_pinned_by_commit(workflow: Path) -> None:
    for action in re.findall(r"uses: (\S+)", workflow.read_text(encoding="utf-8")):
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
