"""`schema diff` on variants of the real schemas: what changed and which operations it breaks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse

from alleviate_debtcore.cli._schema import (
    EXIT_AFFECTS_OPERATIONS,
    EXIT_OK,
    EXIT_OTHER_CHANGES,
    diff_schemas,
    load_operations,
    stable_sdl,
)
from alleviate_debtcore.errors import SchemaToolError

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
QUERIES = ROOT / "queries"
DEBTCORE = str(Path(sys.executable).parent / "debtcore")


def variant(tmp_path: Path, service: str, old: str, new: str, count: int = 1) -> Path:
    """A copy of schemas/ with one textual edit in one service's SDL."""
    folder = tmp_path / "new"
    shutil.copytree(SCHEMAS, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = folder / f"{service}.graphql"
    text = path.read_text()
    assert text.count(old) >= count, f"{old!r} not in {service}"
    path.write_text(text.replace(old, new, count))
    return folder


def test_identical_schemas_are_safe() -> None:
    report = diff_schemas(SCHEMAS, SCHEMAS, queries=QUERIES)
    assert report.exit_code == EXIT_OK
    assert all(not s.changes and not s.broken_operations for s in report.services)


def test_removing_a_selected_field_names_the_operations(tmp_path: Path) -> None:
    # CreditReportNode.reportStatus (the first occurrence) is selected by several operations.
    new = variant(tmp_path, "credit", "  reportStatus: String\n", "  reportState: String\n")
    report = diff_schemas(SCHEMAS, new, queries=QUERIES)
    assert report.exit_code == EXIT_AFFECTS_OPERATIONS
    credit = next(s for s in report.services if s.service == "credit")
    assert {"CreditReport", "CreditReports", "AddLeadIdToCreditReport"} <= set(
        credit.broken_operations
    )
    assert any("reportStatus" in r for r in credit.broken_operations["CreditReport"])
    assert "BREAKS OUR OPERATIONS" in report.to_text()
    assert "operation CreditReport breaks:" in report.to_text()


def test_making_an_argument_required_breaks_the_operation(tmp_path: Path) -> None:
    forward = '    """Cursor paging: page size when moving forward."""\n    first: Int'
    new = variant(tmp_path, "credit", forward + "\n", forward + "!\n")
    report = diff_schemas(SCHEMAS, new, queries=QUERIES)
    assert report.exit_code == EXIT_AFFECTS_OPERATIONS
    credit = next(s for s in report.services if s.service == "credit")
    assert set(credit.broken_operations) == {"CreditReports"}
    assert any("first" in change.description for change in credit.of_severity("breaking"))


def test_removing_an_enum_value_is_breaking_but_spares_our_operations(tmp_path: Path) -> None:
    new = variant(
        tmp_path,
        "enrollment",
        '\n  """Not run, e.g. because there was nothing to create."""\n  SKIPPED\n',
        "\n",
    )
    report = diff_schemas(SCHEMAS, new, queries=QUERIES)
    assert report.exit_code == EXIT_OTHER_CHANGES
    enrollment = next(s for s in report.services if s.service == "enrollment")
    assert enrollment.broken_operations == {}
    assert any("SKIPPED" in change.description for change in enrollment.of_severity("breaking"))


def test_adding_an_optional_field_is_safe(tmp_path: Path) -> None:
    new = variant(
        tmp_path, "offers", "  serviceFee: Int\n", "  serviceFee: Int\n  newField: String\n"
    )
    report = diff_schemas(SCHEMAS, new, queries=QUERIES)
    assert report.exit_code == EXIT_OK


def test_changing_a_selected_fields_type_affects_the_operations(tmp_path: Path) -> None:
    # Still a valid selection, but our models expect an int: the parse would fail at run time.
    new = variant(tmp_path, "offers", "  serviceFee: Int\n", "  serviceFee: String\n", count=2)
    report = diff_schemas(SCHEMAS, new, queries=QUERIES)
    assert report.exit_code == EXIT_AFFECTS_OPERATIONS
    offers = next(s for s in report.services if s.service == "offers")
    assert {"Offers", "SaveOffer", "GetOffer"} <= set(offers.broken_operations)
    payload = json.loads(report.to_json())
    assert payload["exit_code"] == EXIT_AFFECTS_OPERATIONS
    assert "Offers" in payload["services"][2]["broken_operations"]
    change = next(
        c for c in payload["services"][2]["changes"] if c["coordinate"] == "Offer.serviceFee"
    )
    assert change["severity"] == "breaking" and change["kind"] == "FIELD_CHANGED_KIND"
    assert {a["operation"] for a in change["affected_operations"]} == {"SaveOffer", "GetOffer"}
    assert "changed type from Int to String" in change["affected_operations"][0]["reason"]


def test_bad_input_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaToolError, match="does not exist"):
        diff_schemas(tmp_path / "missing", SCHEMAS, queries=QUERIES)
    (tmp_path / "credit.graphql").write_text("type Query {")
    with pytest.raises(SchemaToolError, match="does not parse"):
        diff_schemas(SCHEMAS / "credit.graphql", tmp_path / "credit.graphql", queries=QUERIES)
    (tmp_path / "credit.graphql").write_text("type Query { a: Int }\ntype Query { b: Int }")
    with pytest.raises(SchemaToolError, match="not valid"):
        diff_schemas(SCHEMAS / "credit.graphql", tmp_path / "credit.graphql", queries=QUERIES)
    (tmp_path / "credit.graphql").write_text("type Query { a: Empty }\ntype Empty")
    with pytest.raises(SchemaToolError, match="not valid"):
        diff_schemas(SCHEMAS / "credit.graphql", tmp_path / "credit.graphql", queries=QUERIES)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "misc.graphql").write_text("type Query { a: Int }")
    with pytest.raises(SchemaToolError, match=r"no <service>\.graphql"):
        diff_schemas(tmp_path / "other", SCHEMAS, queries=QUERIES)


def test_stable_sdl_is_deterministic() -> None:
    from graphql import build_schema

    text = (SCHEMAS / "underwriting.graphql").read_text()
    assert stable_sdl(build_schema(text)) == stable_sdl(build_schema(text))


def _repo_copy(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    for name in ("schemas", "queries", "codegen"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    return repo


def _schema_update(repo: Path, sdl: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegen.schema_update", str(sdl), "--report", "report.md"],
        cwd=repo, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_schema_update_copies_and_regenerates_a_safe_change(tmp_path: Path) -> None:
    repo = _repo_copy(tmp_path)
    new = variant(
        tmp_path, "offers", "  serviceFee: Int\n", "  serviceFee: Int\n  newField: String\n"
    )
    done = _schema_update(repo, new)
    assert done.returncode == EXIT_OK, done.stderr
    assert "newField" in (repo / "schemas" / "offers.graphql").read_text()
    assert (repo / "generated" / "offers" / "client.py").is_file()
    assert (repo / "generated" / "operations.json").is_file()
    assert "verdict: safe" in (repo / "report.md").read_text()


def test_schema_update_refuses_a_change_that_breaks_our_operations(tmp_path: Path) -> None:
    repo = _repo_copy(tmp_path)
    new = variant(tmp_path, "credit", "  reportStatus: String\n", "  reportState: String\n")
    done = _schema_update(repo, new)
    assert done.returncode == EXIT_AFFECTS_OPERATIONS
    assert (repo / "schemas" / "credit.graphql").read_text() == (
        SCHEMAS / "credit.graphql"
    ).read_text()
    assert not (repo / "generated").exists()
    assert "update queries/" in done.stdout


def _variant_folder(tmp_path: Path) -> Path:
    """NEW schemas where CreditReportDebt.creditorName is gone (selected by six credit ops)."""
    return variant(tmp_path, "credit", "  creditorName: String\n", "", count=1)


def test_without_queries_the_packages_operations_are_used(tmp_path: Path) -> None:
    documents, source = load_operations()
    assert "generated from" in source
    for service in ("credit", "underwriting", "offers", "enrollment"):
        from_package = {
            d.name.value for d in parse(documents[service]).definitions
            if isinstance(d, OperationDefinitionNode) and d.name
        }  # fmt: skip
        manifest = json.loads((ROOT / "generated" / "operations.json").read_text())
        assert from_package == {e["operation"] for e in manifest if e["service"] == service}
    report = diff_schemas(SCHEMAS, _variant_folder(tmp_path))
    assert report.exit_code == EXIT_AFFECTS_OPERATIONS
    credit = next(s for s in report.services if s.service == "credit")
    assert "PullCreditReport" in credit.broken_operations


def test_a_missing_or_empty_queries_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaToolError, match="is not a folder"):
        diff_schemas(SCHEMAS, SCHEMAS, queries=tmp_path / "nonexistent")
    (tmp_path / "empty" / "credit").mkdir(parents=True)
    with pytest.raises(SchemaToolError, match="holds no"):
        diff_schemas(SCHEMAS, SCHEMAS, queries=tmp_path / "empty")


def test_cli_outside_the_repository_uses_the_packages_operations(tmp_path: Path) -> None:
    new = _variant_folder(tmp_path)
    elsewhere = tmp_path / "app"
    elsewhere.mkdir()
    done = subprocess.run(
        [DEBTCORE, "schema", "diff", str(SCHEMAS), str(new), "--format", "json"],
        capture_output=True, text=True, timeout=120, cwd=elsewhere,
    )  # fmt: skip
    assert done.returncode == EXIT_AFFECTS_OPERATIONS, done.stderr
    payload = json.loads(done.stdout)
    assert "CreditReport" in payload["services"][0]["broken_operations"]
    missing = subprocess.run(
        [DEBTCORE, "schema", "diff", str(SCHEMAS), str(new), "--queries", "/nonexistent"],
        capture_output=True, text=True, timeout=120, cwd=elsewhere,
    )  # fmt: skip
    assert missing.returncode == 3
    assert "--queries /nonexistent is not a folder" in missing.stderr
