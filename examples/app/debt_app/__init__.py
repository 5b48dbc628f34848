"""An application that enrolls applicants in a debt-relief program through Debt Core."""

from .enroll import Outcome, enroll

__all__ = ["Outcome", "enroll"]
