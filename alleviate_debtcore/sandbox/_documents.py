"""Parse and validate each distinct GraphQL document once per service.

A client sends the same few documents again and again; re-parsing and re-validating them with
graphql-core took most of the sandbox's time per request (about 3 ms of a 4 ms round trip for a
small query), which slowed every end-to-end test and benchmark.

The cache is bounded by the size of the documents it holds, not only their number: a parsed
document takes many times its text, and twelve 100,000-alias documents once held 295 MB. Every
document passes the request limits (``_limits``) before it is parsed or cached.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Collection
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from graphql.utilities import TypeInfo
from graphql.validation import ASTValidationRule

from ._limits import RequestLimits, check_document, parse_document

__all__ = ["DocumentCache", "shared_cache"]


_ValidationKey = tuple[int, tuple[type[ASTValidationRule], ...] | None]  # (schema id, rules)


class _Entry:
    __slots__ = ("document", "validations")

    def __init__(self, document: DocumentNode) -> None:
        self.document = document
        # (schema id, rules) -> errors; documents are validated against one schema in practice
        self.validations: dict[
            tuple[int, tuple[type[ASTValidationRule], ...] | None], list[GraphQLError]
        ] = {}


class DocumentCache:
    """ariadne ``query_parser`` and ``query_validator`` that memoize by document text.

    At most ``maxsize`` documents and ``max_text_bytes`` of their text (the parsed form takes 40
    to 70 times as much); a document over an eighth of that is parsed but not kept.
    """

    def __init__(
        self,
        *,
        limits: RequestLimits | None = None,
        maxsize: int = 512,
        max_text_bytes: int = 256 * 1024,
    ) -> None:
        self.limits = limits or RequestLimits()
        self._maxsize = maxsize
        self._max_text_bytes = max_text_bytes
        self._text_bytes = 0
        self._by_text: OrderedDict[str, _Entry] = OrderedDict()
        self._by_document: dict[int, _Entry] = {}
        self._lock = threading.Lock()

    def parse(self, _context: Any, data: dict[str, Any]) -> DocumentNode:
        text = data["query"]
        if not isinstance(text, str):
            return parse(text)  # let graphql-core raise its own error
        with self._lock:
            entry = self._by_text.get(text)
            if entry is not None:
                self._by_text.move_to_end(text)
                return entry.document
        document = parse_document(text, self.limits)  # a syntax error raises, is not cached
        check_document(document, self.limits)
        if len(text) > self._max_text_bytes // 8:
            return document
        with self._lock:
            if text in self._by_text:  # parsed concurrently by another thread
                return document
            entry = _Entry(document)
            self._by_text[text] = entry
            self._by_document[id(document)] = entry
            self._text_bytes += len(text)
            while len(self._by_text) > self._maxsize or self._text_bytes > self._max_text_bytes:
                evicted_text, evicted = self._by_text.popitem(last=False)
                self._text_bytes -= len(evicted_text)
                del self._by_document[id(evicted.document)]
        return document

    @property
    def text_bytes(self) -> int:
        """Characters of document text held (the bound is ``max_text_bytes``)."""
        with self._lock:
            return self._text_bytes

    def validate(
        self,
        schema: GraphQLSchema,
        document_ast: DocumentNode,
        rules: Collection[type[ASTValidationRule]] | None = None,
        max_errors: int | None = None,
        type_info: TypeInfo | None = None,
    ) -> list[GraphQLError]:
        key = (id(schema), tuple(rules) if rules is not None else None)
        with self._lock:
            entry = self._by_document.get(id(document_ast))
            if entry is not None and entry.document is document_ast and key in entry.validations:
                return entry.validations[key]
        errors = validate(schema, document_ast, rules, max_errors, type_info)
        if entry is not None and entry.document is document_ast:
            with self._lock:
                entry.validations[key] = errors
        return errors


@functools.cache
def shared_cache(service: str, limits: RequestLimits) -> DocumentCache:
    """One cache per service and limits for the whole process, as the schemas are shared: every
    in-process sandbox a test suite creates then parses and validates each document once."""
    return DocumentCache(limits=limits)
