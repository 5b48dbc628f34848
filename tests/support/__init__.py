"""Helpers shared by the test modules (``from tests.support.raw_server import raw_server``).

Imports nothing itself: ``floors`` and ``dist_check`` also run as scripts (``python -m
tests.support.floors``) in environments without the package or the test dependencies.
"""
