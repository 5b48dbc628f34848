"""Parsing untrusted JSON without recursion errors.

pydantic-core's parser stops at ``MAX_JSON_DEPTH`` levels of nesting with a ``ValueError``, where
``json.loads`` raises ``RecursionError`` about 1,000 levels deep (a 2 KB body). It is also faster.
"""

from __future__ import annotations

from typing import Final

from pydantic_core import from_json

__all__ = ["MAX_JSON_DEPTH", "loads"]

# pydantic-core's fixed recursion limit; GraphQL responses nest a few dozen levels at most.
MAX_JSON_DEPTH: Final = 200


def loads(content: bytes | str) -> object:
    """The JSON value in ``content``; ``ValueError`` when it is not JSON, not UTF-8 or nested
    deeper than ``MAX_JSON_DEPTH``."""
    return from_json(content)
