"""The sandbox's document cache: one parse and one validation per distinct document."""

from __future__ import annotations

import pytest
from graphql import GraphQLSyntaxError, build_schema

from alleviate_debtcore.sandbox._documents import DocumentCache

SCHEMA = build_schema("type Query { a: Int, b: String }")


def test_same_text_parses_and_validates_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import alleviate_debtcore.sandbox._documents as module

    calls = {"validate": 0}
    real_validate = module.validate

    def counting_validate(*args: object, **kwargs: object) -> object:
        calls["validate"] += 1
        return real_validate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "validate", counting_validate)
    cache = DocumentCache()
    first = cache.parse(None, {"query": "{ a }"})
    assert cache.parse(None, {"query": "{ a }"}) is first
    assert cache.validate(SCHEMA, first) == []
    assert cache.validate(SCHEMA, first) == []
    assert calls["validate"] == 1
    bad = cache.parse(None, {"query": "{ nope }"})
    assert len(cache.validate(SCHEMA, bad)) == 1
    assert len(cache.validate(SCHEMA, bad)) == 1  # cached errors are still errors
    assert calls["validate"] == 2


def test_syntax_errors_raise_and_are_not_cached() -> None:
    cache = DocumentCache()
    for _ in range(2):
        with pytest.raises(GraphQLSyntaxError):
            cache.parse(None, {"query": "{ a "})


def test_eviction_keeps_the_cache_bounded() -> None:
    cache = DocumentCache(maxsize=2)
    docs = [cache.parse(None, {"query": f"{{ a{' ' * i} }}"}) for i in range(3)]
    assert cache.parse(None, {"query": "{ a }"}) is not docs[0]  # evicted, parsed again
    assert cache.validate(SCHEMA, docs[0]) == []  # an evicted document still validates
