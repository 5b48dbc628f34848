"""The sandbox's rules are written once (``_rulebook``); the docstring and docs page follow."""

from __future__ import annotations

from pathlib import Path

import alleviate_debtcore.sandbox as sandbox
from alleviate_debtcore.sandbox import _constants, _rulebook

PAGE = Path(__file__).resolve().parents[2] / _rulebook.DOCS_PAGE


def test_docs_table_is_generated_from_the_rulebook() -> None:
    current = _rulebook.readme_section(PAGE.read_text(encoding="utf-8"))
    assert current, f"{_rulebook.DOCS_PAGE} lacks the sandbox rules markers"
    assert current == _rulebook.as_markdown(), (
        f"{_rulebook.DOCS_PAGE}'s sandbox rules are stale: run make sandbox-rules"
    )


def test_package_docstring_carries_the_rulebook() -> None:
    assert sandbox.__doc__ is not None and sandbox.__doc__.endswith(_rulebook.as_text())


def test_rules_quote_the_constants_the_code_uses() -> None:
    text = _rulebook.as_text(width=10_000)
    for value in (
        f"{_constants.MIN_DEBT_BALANCE:,.2f}",
        f"{_constants.MIN_TOTAL_ELIGIBLE_DEBT:,.2f}",
        _constants.SMS_PASS_CODE,
        _constants.ENROLLMENT_FAIL_BANK_SUFFIX,
        *sorted(_constants.UNSERVICED_STATES),
        # the account-number rule that once was missing from the docstring and README
        "account number of an already enrolled debt",
    ):
        assert value in text
