"""Applicants a test builds, with the tradelines on their credit files, and a clock it controls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..credit import PullCreditReportInput

__all__ = ["Applicant", "SandboxClock", "Tradeline"]


@dataclass(frozen=True)
class Tradeline:
    """One debt on an applicant's credit file, as a test wants it.

    ``account_type`` and ``creditor_type`` take the schema's codes; the sandbox's rules judge
    them (``MORTGAGE_DEBT``, ``AUTO_LOAN``, ``STUDENT_LOAN``, ``SECURED`` and ``LEASE`` are
    ineligible, balances under 500.00 too, ``CREDIT_UNION`` creditors conditional; see
    ``pydoc alleviate_debtcore.sandbox``). ``delinquency`` is the bureau's rating (``CURRENT``,
    ``30_DAYS_LATE``, ``COLLECTION``, ...); ``COLLECTION`` also marks the debt a collection.
    """

    creditor: str
    balance: Decimal | int | str
    account_type: str = "CREDIT_CARD"
    creditor_type: str = "ORIGINATOR"
    delinquency: str = "CURRENT"
    ecoa_code: str = "I"  # I individual, J joint, A authorized user (ineligible)

    @classmethod
    def credit_card(cls, creditor: str, balance: Decimal | int | str, **fields: str) -> Tradeline:
        """An unsecured card: eligible from 500.00 up."""
        return cls(creditor, balance, "CREDIT_CARD", **fields)

    @classmethod
    def mortgage(cls, creditor: str, balance: Decimal | int | str, **fields: str) -> Tradeline:
        """A mortgage: never eligible."""
        return cls(creditor, balance, "MORTGAGE_DEBT", **fields)

    @property
    def amount(self) -> Decimal:
        return Decimal(str(self.balance))


@dataclass(frozen=True)
class Applicant:
    """An applicant the sandbox knows: pull a report with ``pull_input()`` (or the same
    ``contact_id``/``ssn`` from your own code) and get the scripted file.

    Names and numbers are synthetic; the SSNs start with 666, which no real SSN does.
    """

    contact_id: str
    first_name: str
    last_name: str
    ssn: str
    dob: str
    address_line1: str
    city: str
    state: str
    zip: str
    tradelines: tuple[Tradeline, ...] = field(default=())
    report_status: str = "COMPLETED"

    def pull_input(self, source: str = "ARRAY_EQUIFAX") -> PullCreditReportInput:
        """The ``PullCreditReportInput`` for this applicant (every identity field set)."""
        from ..credit import CREDIT_REPORT_PULL_SOURCE, PullCreditReportInput

        # model_validate, not keywords: mypy's pydantic plugin knows the field as zip_, pyright
        # (and pydantic) as zip.
        return PullCreditReportInput.model_validate(
            {
                "credit_report_source": CREDIT_REPORT_PULL_SOURCE(source),
                "req_org_contact_id": self.contact_id,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "ssn": self.ssn,
                "dob": self.dob,
                "address_line1": self.address_line1,
                "city": self.city,
                "state": self.state,
                "zip": self.zip,
            }
        )

    def __repr__(self) -> str:  # no identity in test output
        return f"Applicant(contact_id={self.contact_id!r}, tradelines={len(self.tradelines)})"


class SandboxClock:
    """The sandbox's notion of now: frozen at ``start`` (UTC), or the wall clock shifted by
    whatever ``advance`` added. Records' timestamps, the first-payment-date window, the SMS
    lock-out and the 30-day report check read it; token lifetimes use the wall clock."""

    def __init__(self, start: datetime | None = None) -> None:
        if start is not None and start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._frozen = start
        self._offset = timedelta()

    def __call__(self) -> datetime:
        base = self._frozen if self._frozen is not None else datetime.now(UTC)
        return base + self._offset

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        """Move time forward (``advance(days=31)``); returns the new now."""
        self._offset += (delta or timedelta()) + timedelta(**units)
        return self()

    def __repr__(self) -> str:
        return f"SandboxClock(now={self().isoformat()})"
