"""Argument types and the help formatter shared by every ``debtcore`` subcommand."""

from __future__ import annotations

import argparse

__all__ = ["HelpFormatter", "port"]

MAX_PORT = 65535


def port(text: str) -> int:
    """A TCP port: 1-65535, or 0 for any free port (argparse turns the error into exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"{value} is not a port: use 1-{MAX_PORT}, or 0 for any")
    return value


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default, unless there is none or its help already says it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default in (None, False, argparse.SUPPRESS) or "default" in text:
            return text
        return super()._get_help_string(action)
