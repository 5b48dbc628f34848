"""What a forked child must not inherit from its parent.

After ``os.fork()`` (gunicorn ``--preload``, Celery prefork, multiprocessing's "fork" start
method) the child holds copies of the parent's pooled sockets: one keep-alive connection used by
both processes interleaves their requests and responses, so one process can read the other's
answer. Locks that another parent thread held at the fork stay held for ever in the child, and
in-flight state (a token fetch, an event loop binding) belongs to a thread or loop the child does
not have.

Objects owning such state call ``on_fork_in_child(self, method)``; in every child the method
runs once, before any code of the child's own. It must only drop references and make new locks:
closing an inherited socket or connection could reach the parent's peer. Nothing is paid per
call: ``os.register_at_fork`` does the detecting.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable
from typing import TypeVar

__all__ = ["fork_generation", "on_fork_in_child"]

logger = logging.getLogger("alleviate_debtcore")

T = TypeVar("T")

# Bumped in each child: an object may compare it with the value it saw to notice a fork lazily.
_generation = 0
_hooks: weakref.WeakKeyDictionary[object, list[Callable[[object], None]]] = (
    weakref.WeakKeyDictionary()
)
_hooks_lock = threading.Lock()


def fork_generation() -> int:
    """How many forks this process descends from (0 in the process that imported us first)."""
    return _generation


def on_fork_in_child(owner: T, reset: Callable[[T], None]) -> None:
    """Run ``reset(owner)`` in every child forked while ``owner`` is alive."""
    with _hooks_lock:
        _hooks.setdefault(owner, []).append(reset)  # type: ignore[arg-type]


def _after_fork_in_child() -> None:
    global _generation, _hooks_lock
    _generation += 1
    # The parent may have forked while another thread held it.
    _hooks_lock = threading.Lock()
    for owner, resets in list(_hooks.items()):
        for reset in resets:
            try:
                reset(owner)
            except Exception:  # a failed reset must not kill the child before its first line
                logger.exception("resetting %s after fork failed", type(owner).__name__)


os.register_at_fork(after_in_child=_after_fork_in_child)
