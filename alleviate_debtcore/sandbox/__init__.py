"""placeholder docstring"""

from ._app import SandboxApp, create_app
from ._faults import Faults
from ._state import SandboxState

__all__ = ["Faults", "SandboxApp", "SandboxState", "create_app"]
