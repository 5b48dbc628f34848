"""parse_result must not amplify memory: a ~100 MB body that fails validation stays within a
small multiple of its size (the bytes fast path once copied the input into every error: a 10 MB
body peaked at 1.5 GB). Measured in a fresh subprocess, by its peak RSS."""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import json, resource
import httpx
from alleviate_debtcore._base_client import ServiceClient
from alleviate_debtcore._transport import GraphQLResult
from alleviate_debtcore.credit import CreditReportDebtFields, CreditReportQuery
from alleviate_debtcore.credit import GetCreditReportResponseFieldsData as Report
from alleviate_debtcore.errors import ResponseValidationError

# Schema drift as it would look: every debt's balance became a string.
debt = {f.alias or n: None for n, f in CreditReportDebtFields.model_fields.items()}
debt.update(id="d-1", creditorName="ACME BANK " * 20, currentBalance="not-a-number")
report = {f.alias or n: None for n, f in Report.model_fields.items()}
report.update(id="cr-1", debts=[debt] * int(100e6 / len(json.dumps(debt))))
body = json.dumps({"data": {"creditReport": {"data": report, "errors": None}}}).encode()
del debt, report
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
before = peak()
result = GraphQLResult(service="credit", operation="CreditReport", request_id="r",
                       http_response=httpx.Response(200, content=body))
client = ServiceClient(service="credit", url="http://127.0.0.1/", transport=None)
try:
    client.parse_result(CreditReportQuery, result)
    raise SystemExit("validation passed")
except ResponseValidationError as error:
    assert error.__cause__ is None and error.__context__ is None
    assert "mismatches" in str(error)
print(len(body), peak() - before)
"""


def test_a_100_mb_mismatching_body_peaks_within_three_times_its_size() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=600, check=True
    )
    size, growth = map(int, done.stdout.split())
    assert size > 95e6
    assert growth < 3 * size, f"peak grew by {growth / size:.1f}x the body"


def test_small_mismatches_list_paths_and_reasons_without_values() -> None:
    import httpx

    from alleviate_debtcore._base_client import ServiceClient
    from alleviate_debtcore._transport import GraphQLResult
    from alleviate_debtcore.credit import CreditReportQuery
    from alleviate_debtcore.errors import ResponseValidationError

    body = b'{"data": {"creditReport": {"data": {"id": 666023511}, "errors": null}}}'
    result = GraphQLResult(
        service="credit",
        operation="CreditReport",
        request_id="r-1",
        http_response=httpx.Response(200, content=body),
    )
    client = ServiceClient(service="credit", url="http://127.0.0.1/", transport=None)  # type: ignore
    try:
        client.parse_result(CreditReportQuery, result)
    except ResponseValidationError as error:
        assert error.errors and error.errors[0].path == "creditReport.data.id"  # the GraphQL names
        assert "666023511" not in str(error) and error.__context__ is None
        assert error.request_id == "r-1"
    else:
        raise AssertionError("no ResponseValidationError")
