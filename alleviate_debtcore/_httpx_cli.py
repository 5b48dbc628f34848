"""httpx's command-line client, imported when it is used rather than with httpx.

Whenever click is installed (a dependency of many tools), ``import httpx`` also imports
``httpx._main`` for its ``httpx`` command, and with it click, rich and pygments: about a fifth of
this package's import time, for nothing an API call needs. Before httpx is first imported, a
stand-in takes that module's place for the duration of the import; ``httpx.main`` is then a
function that imports the real command on first use. If httpx was imported already, nothing
changes.
"""

from __future__ import annotations

import importlib
import sys
import types

_CLI: str = "httpx._main"


def main(*args: object, **kwargs: object) -> object:
    """``httpx.main``: the real one, imported now (or httpx's message when it cannot be)."""
    try:
        real = importlib.import_module(_CLI)
    except ImportError:  # what httpx itself does without its CLI extra
        print(
            "The httpx command line client could not run because the required "
            "dependencies were not installed.\nMake sure you've installed "
            "everything with: pip install 'httpx[cli]'"
        )
        sys.exit(1)
    return real.main(*args, **kwargs)


if "httpx" not in sys.modules and _CLI not in sys.modules:
    _stand_in = types.ModuleType(_CLI, "stands in for httpx._main while httpx is imported")
    _stand_in.main = main  # type: ignore[attr-defined]
    sys.modules[_CLI] = _stand_in
    try:
        import httpx  # noqa: F401  # pyright: ignore[reportUnusedImport]
    finally:
        if sys.modules.get(_CLI) is _stand_in:  # later imports of httpx._main get the real one
            del sys.modules[_CLI]
