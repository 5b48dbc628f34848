"""Request limits: body size, JSON nesting, and a GraphQL document's tokens, depth and cost.

A public GraphQL server caps these so that one request cannot take its memory or its event loop
(issue 12: a 100 MB body peaked the sandbox at 441 MB, 100,000 aliases blocked it for 12.5 s).
Each check is linear and runs before the expensive step it protects: the body is measured while
it is read, nesting is measured before graphql-core parses (its parser recurses), and depth and
cost are counted on the parsed document before validation, whose overlap rule is quadratic.
A violation is answered as Apollo Server answers one: HTTP 4xx, ``errors`` with a message and
``extensions.code``, no ``data``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import cast

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
from graphql.language import Lexer, Source, TokenKind
from starlette.types import Receive, Scope

__all__ = [
    "DocumentLimitError",
    "RequestLimits",
    "RequestTooLargeError",
    "check_document",
    "json_depth_exceeds",
    "parse_document",
    "read_body",
]

_OPENERS = frozenset({TokenKind.BRACE_L, TokenKind.PAREN_L, TokenKind.BRACKET_L})
_CLOSERS = frozenset({TokenKind.BRACE_R, TokenKind.PAREN_R, TokenKind.BRACKET_R})
_BRACKETS = re.compile(r"[{}()\[\]]")


@dataclass(frozen=True)
class RequestLimits:
    """What one GraphQL request may hold; ``create_app(limits=...)`` changes them.

    The defaults sit far above what this package's own operations need (the largest has about
    800 tokens, nesting 5 and a few hundred fields) and what GraphiQL's introspection query
    needs (depth 10).
    """

    max_body_bytes: int = 4 * 1024 * 1024
    max_json_depth: int = 64  # request JSON, variables included (raw reports nest ~10 deep)
    max_tokens: int = 15_000
    max_depth: int = 32  # field nesting, through fragments
    max_fields: int = 5_000  # fields and aliases, each fragment counted where it is spread

    def __post_init__(self) -> None:
        if min(self.max_body_bytes, self.max_json_depth, self.max_tokens, self.max_depth) < 1:
            raise ValueError("request limits must be positive")
        if self.max_fields < 1:
            raise ValueError("request limits must be positive")


class RequestTooLargeError(Exception):
    """The body is over ``max_body_bytes``: answered 413, none of it kept."""


class DocumentLimitError(GraphQLError):
    """The document is over a limit: answered 400 with code GRAPHQL_VALIDATION_FAILED."""


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The request body; over ``limit`` bytes (declared or counted) the rest is read and dropped,
    so memory stays bounded and the client, still sending, gets the 413 rather than a reset."""
    declared = next((v for k, v in scope.get("headers", ()) if k == b"content-length"), b"")
    too_large = declared.isdigit() and int(declared) > limit
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        if not too_large:
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            too_large = size > limit
            chunks.append(chunk)
            if too_large:
                chunks.clear()
        if not message.get("more_body", False):
            break
    if too_large:
        raise RequestTooLargeError
    return b"".join(chunks)


def json_depth_exceeds(value: object, limit: int) -> bool:
    """Whether decoded JSON nests deeper than ``limit`` (iterative: no recursion to exhaust)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[object] = cast(dict[str, object], item).values()
        elif isinstance(item, list):
            children = cast(list[object], item)
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_document(text: str, limits: RequestLimits) -> DocumentNode:
    """Parse within the limits. graphql-core's parser recurses per nesting level, so a
    10,000-deep document would exhaust the stack: nesting is measured first, on the brackets
    (a cheap upper bound; strings may hold brackets too, so only a high count is checked token by
    token). The parser itself stops at ``max_tokens`` (parsing 100,000 aliases takes seconds)."""
    depths = accumulate(1 if bracket in "{([" else -1 for bracket in _BRACKETS.findall(text))
    if max(depths, default=0) > limits.max_depth:
        _scan_tokens(text, limits)
    try:
        return parse(text, max_tokens=limits.max_tokens)
    except GraphQLError as error:
        if "Document contains more than" in error.message:
            raise _too_many_tokens(limits) from None
        raise


def _scan_tokens(text: str, limits: RequestLimits) -> None:
    """Exact nesting and token count by the lexer, which does not recurse."""
    lexer = Lexer(Source(text))
    tokens = depth = 0
    while True:
        try:
            token = lexer.advance()
        except GraphQLError:
            return  # a syntax error: the parser reports it
        if token.kind == TokenKind.EOF:
            return
        tokens += 1
        if tokens > limits.max_tokens:
            raise _too_many_tokens(limits)
        if token.kind in _OPENERS:
            depth += 1
            if depth > limits.max_depth:
                raise _too_deep(limits)
        elif token.kind in _CLOSERS:
            depth -= 1


def _too_many_tokens(limits: RequestLimits) -> DocumentLimitError:
    return DocumentLimitError(
        f"Document exceeds the maximum of {limits.max_tokens} tokens",
        extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
    )


def _too_deep(limits: RequestLimits) -> DocumentLimitError:
    return DocumentLimitError(
        f"Operation exceeds the maximum depth of {limits.max_depth}",
        extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
    )


class _Cost:
    """Depth and field count of selection sets, fragments expanded where they are spread."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            node.name.value: node
            for node in document.definitions
            if isinstance(node, FragmentDefinitionNode)
        }
        self.memo: dict[str, tuple[int, int]] = {}
        self.visiting: set[str] = set()

    def of(self, selections: SelectionSetNode | None) -> tuple[int, int]:
        """(depth, fields) of a selection set; a cycle counts as nothing (validation rejects
        it later)."""
        if selections is None:
            return 0, 0
        depth = fields = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                inner_depth, inner_fields = self.of(selection.selection_set)
                depth = max(depth, inner_depth + 1)
                fields += inner_fields + 1
            elif isinstance(selection, InlineFragmentNode):
                inner_depth, inner_fields = self.of(selection.selection_set)
                depth, fields = max(depth, inner_depth), fields + inner_fields
            elif isinstance(selection, FragmentSpreadNode):
                inner_depth, inner_fields = self.fragment(selection.name.value)
                depth, fields = max(depth, inner_depth), fields + inner_fields
        return depth, fields

    def fragment(self, name: str) -> tuple[int, int]:
        if name in self.memo:
            return self.memo[name]
        node = self.fragments.get(name)
        if node is None or name in self.visiting:
            return 0, 0
        self.visiting.add(name)
        self.memo[name] = result = self.of(node.selection_set)
        self.visiting.discard(name)
        return result


def check_document(document: DocumentNode, limits: RequestLimits) -> None:
    """Depth and cost of each operation, fragments included (a chain of fragments can nest
    deeper than the brackets of the text show)."""
    cost = _Cost(document)
    for node in document.definitions:
        if not isinstance(node, OperationDefinitionNode):
            continue
        try:
            depth, fields = cost.of(node.selection_set)
        except RecursionError:  # a fragment chain thousands long
            raise _too_deep(limits) from None
        if depth > limits.max_depth:
            raise _too_deep(limits)
        if fields > limits.max_fields:
            raise DocumentLimitError(
                f"Operation exceeds the maximum cost of {limits.max_fields} fields",
                extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
            )
