# pyproject.toml's [project] version is the one source: read back from the installed metadata
# (tests/test_release.py checks it against CHANGELOG.md and `debtcore --version`).
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("alleviate-debtcore")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
