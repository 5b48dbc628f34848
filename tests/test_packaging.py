"""The package's layout: no symlinks, one copy of each module, an sdist that rebuilds the wheel."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TRACKED = ("alleviate_debtcore", "auth", "generated", "schemas", "queries", "codegen", "tests")


def _run(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_the_source_tree_has_no_symlinks() -> None:
    # A checkout without symlink support (core.symlinks=false, Windows' default) must work.
    links = [p for top in TRACKED for p in (ROOT / top).rglob("*") if p.is_symlink()]
    assert links == []


def test_mapped_subpackages_import_from_the_repository_root() -> None:
    # `python -m bench` and `python -m codegen...` put the root first on sys.path, so Python
    # imports the alleviate_debtcore/ folder itself; auth/ and generated/ must still resolve to
    # one copy each.
    done = _run(
        "import alleviate_debtcore.auth as a, alleviate_debtcore.generated.credit as g\n"
        "import alleviate_debtcore.schemas as s\n"
        "print(a.__file__, g.__file__, s.__file__)",
        ROOT,
    )
    assert done.returncode == 0, done.stderr
    auth_file, generated_file, schemas_file = done.stdout.split()
    assert Path(auth_file) == ROOT / "auth" / "__init__.py"
    assert Path(generated_file) == ROOT / "generated" / "credit" / "__init__.py"
    assert Path(schemas_file) == ROOT / "schemas" / "__init__.py"


def test_top_level_folders_refuse_a_second_import_name() -> None:
    for name, expected in (("auth", "alleviate_debtcore.auth"), ("generated", "generated")):
        done = _run(f"import {name}", ROOT)
        assert done.returncode != 0
        assert "ImportError" in done.stderr and expected in done.stderr


def test_installed_package_is_one_tree(tmp_path: Path) -> None:
    done = _run(
        "import alleviate_debtcore, alleviate_debtcore.auth as a\n"
        "from alleviate_debtcore import auth\n"
        "print(auth is a, a.EntraAuth.__module__)",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "alleviate_debtcore.auth._entra_auth"]


def test_sdist_rebuilds_a_wheel_that_imports(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [PYTHON, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (sdist,) = dist.glob("alleviate_debtcore-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
        archive.extractall(tmp_path / "src", filter="data")
    # What rebuilding the client and running the tests needs travels with the sources.
    for needed in (
        "Makefile",
        "pyproject.toml",
        "tests/conftest.py",
        "queries/credit/fragments.graphql",
        "codegen/plugin.py",
        "codegen/base_client.py",
        "auth/_entra_auth.py",
        "generated/credit/client.py",
        "schemas/credit.graphql",
    ):
        assert needed in names, needed
    assert not any("__pycache__" in name for name in names)
    (unpacked,) = (tmp_path / "src").iterdir()
    subprocess.run(
        [PYTHON, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(unpacked)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = dist.glob("alleviate_debtcore-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    done = subprocess.run(
        [PYTHON, "-c", "import alleviate_debtcore.auth, alleviate_debtcore.credit as c; "
         "print(c.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(site))
