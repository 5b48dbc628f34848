"""Parse and validate each distinct GraphQL document once per service.

A client sends the same few documents again and again; re-parsing and re-validating them with
graphql-core took most of the sandbox's time per request (about 3 ms of a 4 ms round trip for a
small query), which slowed every end-to-end test and benchmark.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from graphql.utilities import TypeInfo
from graphql.validation import ASTValidationRule

__all__ = ["DocumentCache"]


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
    """ariadne ``query_parser`` and ``query_validator`` that memoize by document text."""

    def __init__(self, maxsize: int = 512) -> None:
        self._maxsize = maxsize
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
        document = parse(text)  # a syntax error raises and is not cached
        with self._lock:
            entry = _Entry(document)
            self._by_text[text] = entry
            self._by_document[id(document)] = entry
            while len(self._by_text) > self._maxsize:
                _, evicted = self._by_text.popitem(last=False)
                del self._by_document[id(evicted.document)]
        return document

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
