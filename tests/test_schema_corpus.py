"""`schema diff` on the mutation corpus: the exact operations each schema change breaks.

Every case states its exit code and its broken operations; the tool must match them exactly,
and so must the independent oracle (``tests.support.schema_oracle``) that defends them. The last
test measures the issue's bounds over the whole corpus: no broken operation without exit 1, at most
10% of named operations not actually broken.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_ast_schema, build_schema, parse

from tests.support.schema_corpus import CASES, Case
from tests.support.schema_mutations import Sdl
from tests.support.schema_oracle import broken_operations

from alleviate_debtcore.cli._schema import DiffReport, ServiceDiff, diff_service
from alleviate_debtcore.cli._schema_impact import Operation, operations_in

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"


@cache
def committed_sdl(service: str) -> str:
    return (ROOT / "schemas" / f"{service}.graphql").read_text()


@cache
def committed_schema(service: str) -> GraphQLSchema:
    return build_schema(committed_sdl(service))


@cache
def our_operations(service: str) -> list[Operation]:
    text = "\n".join(p.read_text() for p in sorted((QUERIES / service).glob("*.graphql")))
    return operations_in(parse(text))


def schemas(case: Case) -> tuple[GraphQLSchema, GraphQLSchema]:
    old = committed_schema(case.service)
    if case.old is not None:
        edited = Sdl(committed_sdl(case.service))
        case.old(edited)
        old = build_ast_schema(edited.document)
    new = Sdl(committed_sdl(case.service))
    case.new(new)
    return old, build_ast_schema(new.document)


@cache
def judged(case: Case) -> tuple[ServiceDiff, set[str]]:
    """The tool's verdict and the oracle's broken set, computed once per case."""
    old, new = schemas(case)
    diff = diff_service(case.service, old, new, our_operations(case.service))
    return diff, broken_operations(old, new, QUERIES / case.service)


def test_the_corpus_is_broad() -> None:
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)
    for service in ("credit", "underwriting", "offers", "enrollment"):
        ids = [c.id for c in CASES if c.service == service]
        assert any("-in-" in i for i in ids) and any("-out-" in i for i in ids), service
    assert {c.exit_code for c in CASES} == {0, 1, 2}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_tool_names_exactly_the_broken_operations(case: Case) -> None:
    diff, _ = judged(case)
    assert set(diff.broken_operations) == case.broken
    assert DiffReport([diff], "corpus").exit_code == case.exit_code
    # Each broken operation is listed, with its reason, under the change that breaks it.
    attached = {name for change in diff.changes for name in change.operations}
    assert set(diff.broken_operations) <= attached


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_oracle_agrees_with_the_expected_operations(case: Case) -> None:
    _, oracle = judged(case)
    assert oracle == case.broken


def test_the_issues_bounds_hold_over_the_corpus() -> None:
    missed: list[str] = []
    named = wrongly_named = 0
    for case in CASES:
        diff, oracle = judged(case)
        exit_code = DiffReport([diff], "corpus").exit_code
        if oracle and exit_code != 1:
            missed.append(case.id)
        named += len(diff.broken_operations)
        wrongly_named += len(set(diff.broken_operations) - oracle)
    assert missed == []
    assert named > 100  # the corpus names many operations, so the ratio means something
    assert wrongly_named <= 0.10 * named


VARIABLE_SIDE = {
    "credit-in-dryRun-default-removed": {"PullCreditReport"},
    "credit-in-required-field-added-tenantId": {"PullCreditReport"},
    "credit-in-zip-String-to-Int": {"PullCreditReport"},
    "uw-in-PlanInputV2.programTerm-Int-to-String": {
        "CheckApplicantEligibilityV2",
        "UpdateApplicantEligibilityV2",
    },
    "credit-in-enum-value-removed-SPINWHEEL": {"PullCreditReport"},
    "enrollment-in-JobClassification-value-removed": {"CreateEnrollment"},
}


@pytest.mark.parametrize("case_id", sorted(VARIABLE_SIDE))
def test_the_issues_variable_side_cases_break_their_operations(case_id: str) -> None:
    case = next(c for c in CASES if c.id == case_id)
    diff, _ = judged(case)
    assert DiffReport([diff], "corpus").exit_code == 1
    assert set(diff.broken_operations) == VARIABLE_SIDE[case_id]
