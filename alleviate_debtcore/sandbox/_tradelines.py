"""Deterministic credit files: the tradelines and score a bureau would report for an applicant.

Everything derives from a sha256 of the normalized identity (name, SSN, birth date, address), so
the same applicant always gets the same debts, whichever source is pulled. Every file has three
unsecured cards and one unsecured loan or collection (together at least 7,500 dollars, so the
applicant prequalifies), one secured or student loan (ineligible), and up to two extras that
exercise the other rules. Applicants sharing a street address and ZIP (a household) share one
joint (ECOA ``J``) card, which the JOINT flow merges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ._constants import NO_HIT_LAST_NAME
from ._hashing import det_choice, det_digits, det_int
from ._payload_envelope import JsonDict


@dataclass(frozen=True)
class _Kind:
    creditor: str
    creditor_type: str
    account_type: str
    portfolio_type: str
    low: int  # balance range in dollars
    high: int
    ecoa: str = "I"
    is_collection: bool = False


_CARDS = (
    _Kind("CAPITAL ONE", "ORIGINATOR", "CREDIT_CARD", "REVOLVING", 2500, 9500),
    _Kind("DISCOVER BANK", "ORIGINATOR", "CREDIT_CARD", "REVOLVING", 2500, 9500),
    _Kind("JPMCB CARD SERVICES", "ORIGINATOR", "CREDIT_CARD", "REVOLVING", 2500, 9500),
    _Kind("CITI CARDS CBNA", "ORIGINATOR", "CREDIT_CARD", "REVOLVING", 2500, 9500),
    _Kind("SYNCB/AMAZON", "DEPARTMENT_STORE", "CHARGE_ACCOUNT", "REVOLVING", 2500, 9500),
    _Kind("BARCLAYS BANK DELAWARE", "ORIGINATOR", "CREDIT_CARD", "REVOLVING", 2500, 9500),
)
_LOANS = (
    _Kind("UPSTART NETWORK", "ORIGINATOR", "PERSONAL_LOAN", "INSTALLMENT", 3000, 12000),
    _Kind("LENDINGCLUB CORP", "ORIGINATOR", "PERSONAL_LOAN", "INSTALLMENT", 3000, 12000),
    _Kind(
        "MIDLAND CREDIT MANAGEMENT",
        "COLLECTION_AGENCY",
        "COLLECTIONS",
        "OPEN",
        800,
        4000,
        is_collection=True,
    ),
    _Kind(
        "MEDICAL DATA SYSTEMS",
        "MEDICAL_COLLECTION_AGENCY",
        "MEDICAL_BILL",
        "OPEN",
        800,
        4000,
        is_collection=True,
    ),
)
_SECURED = (
    _Kind("TOYOTA MOTOR CREDIT", "AUTO", "AUTO_LOAN", "INSTALLMENT", 8000, 25000),
    _Kind("NAVIENT", "STUDENT_LOAN", "STUDENT_LOAN", "INSTALLMENT", 6000, 40000),
    _Kind("ROCKET MORTGAGE", "ORIGINATOR", "MORTGAGE_DEBT", "INSTALLMENT", 90000, 300000),
)
_EXTRAS = (
    _Kind("NAVY FEDERAL CR UNION", "CREDIT_UNION", "CREDIT_CARD", "REVOLVING", 1500, 6000),
    _Kind("COMENITY BANK/VICTORIAS", "DEPARTMENT_STORE", "CHARGE_ACCOUNT", "REVOLVING", 50, 450),
    _Kind("AMERICAN EXPRESS", "ORIGINATOR", "CREDIT_CARD", "REVOLVING", 1000, 5000, ecoa="A"),
    _Kind("CHECK INTO CASH", "PAY_DAY_LOAN", "PERSONAL_LOAN", "INSTALLMENT", 600, 1500),
)
_HOUSEHOLD = _Kind(
    "WELLS FARGO CARD SER", "ORIGINATOR", "CREDIT_CARD", "REVOLVING", 2500, 9500, "J"
)

CREDITOR_NAMES = tuple(
    kind.creditor for kind in (*_CARDS, *_LOANS, *_SECURED, *_EXTRAS, _HOUSEHOLD)
)

_IDENTITY_FIELDS = ("firstName", "lastName", "ssn", "dob", "addressLine1", "city", "state", "zip")


def _clean(value: Any) -> str:
    return " ".join(str(value).upper().split()) if value else ""


def identity_key(applicant: Mapping[str, Any]) -> tuple[str, ...]:
    """The normalized identity the file is derived from (ZIP+4 counts as its 5-digit ZIP)."""
    cleaned = {name: _clean(applicant.get(name)) for name in _IDENTITY_FIELDS}
    cleaned["zip"] = cleaned["zip"][:5]
    return tuple(cleaned[name] for name in _IDENTITY_FIELDS)


def household_key(applicant: Mapping[str, Any]) -> tuple[str, str] | None:
    street, zip5 = _clean(applicant.get("addressLine1")), _clean(applicant.get("zip"))[:5]
    return (street, zip5) if street and zip5 else None


def _money(cents: int) -> float:
    return float(Decimal(cents) / 100)


def _day(year: int, *seed: object) -> str:
    return f"{year}-{det_int(1, 12, *seed, 'month'):02d}-{det_int(1, 28, *seed, 'day'):02d}"


def _tradeline(kind: _Kind, *seed: object) -> JsonDict:
    balance_cents = det_int(kind.low * 100, kind.high * 100, *seed, "balance")
    original_cents = balance_cents + det_int(0, kind.high * 25, *seed, "original")
    year = det_int(2012, 2022, *seed, "opened")
    revolving = kind.portfolio_type == "REVOLVING"
    monthly = balance_cents * (3 if revolving else 4) // 100
    return {
        "creditorName": kind.creditor,
        "creditorType": kind.creditor_type,
        "accountType": kind.account_type,
        "portfolioType": kind.portfolio_type,
        "ecoaCode": kind.ecoa,
        "isCollection": kind.is_collection,
        "accountNumber": "****" + det_digits(4, *seed, "account"),
        "currentBalance": _money(balance_cents),
        "originalBalance": _money(original_cents),
        "monthlyPayment": _money(monthly),
        "openDate": _day(year, *seed, "opened-on"),
        "lastPaymentDate": _day(2024, *seed, "paid-on"),
        "hasLastPayment": not kind.is_collection,
        "delinquency": "COLLECTION" if kind.is_collection else "CURRENT",
        "narrativeCodes": [],
        "remarks": [],
        "debtType": None,
        "externalDebtId": None,
        "originalCreditorName": "CAPITAL ONE" if kind.is_collection else None,
        "forthDebtTypeId": None,
    }


def tradelines(applicant: Mapping[str, Any], *, salt: str = "") -> list[JsonDict]:
    """The debts (without IDs or creditor IDs) on this applicant's file.

    ``salt`` tells apart files whose identity fields are sparse (a raw report, SMS consent).
    """
    if _clean(applicant.get("lastName")) == NO_HIT_LAST_NAME:
        return []
    who = (*identity_key(applicant), salt)
    first_card = det_int(0, len(_CARDS) - 1, *who, "cards")
    step = det_int(1, 2, *who, "card-step")  # len(_CARDS) is 6: steps 1 and 2 give distinct picks
    kinds = [_CARDS[(first_card + i * step) % len(_CARDS)] for i in range(3)]
    kinds.append(det_choice(_LOANS, *who, "loan"))
    kinds.append(det_choice(_SECURED, *who, "secured"))
    extras = det_int(0, 2, *who, "extras")
    first_extra = det_int(0, len(_EXTRAS) - 1, *who, "extra")
    kinds.extend(_EXTRAS[(first_extra + i) % len(_EXTRAS)] for i in range(extras))
    lines = [_tradeline(kind, *who, index) for index, kind in enumerate(kinds)]
    household = household_key(applicant)
    if household:
        lines.append(_tradeline(_HOUSEHOLD, *household, "household"))
    return lines


def score(applicant: Mapping[str, Any], bureau: str) -> JsonDict:
    value = det_int(520, 780, *identity_key(applicant), "score")
    return {
        "modelName": "VantageScore 4.0",
        "sourceType": bureau,
        "scoreValue": str(value),
        "scoreFactors": [
            {"scoreFactorCode": "68", "scoreFactorText": "Balances on revolving accounts"},
            {"scoreFactorCode": "12", "scoreFactorText": "Number of accounts with balances"},
        ],
        "scoreType": "VantageScore4",
        "score": value,
    }


def scripted_tradeline(
    *,
    creditor: str,
    account_type: str,
    balance: Decimal,
    creditor_type: str,
    delinquency: str,
    ecoa_code: str,
    seed: tuple[object, ...],
) -> JsonDict:
    """A tradeline a test chose, in the same shape as the generated ones."""
    collection = delinquency.upper() == "COLLECTION" or account_type == "COLLECTIONS"
    revolving = account_type in ("CREDIT_CARD", "CHARGE_ACCOUNT", "LINE_OF_CREDIT")
    cents = int(balance * 100)
    return {
        **_tradeline(
            _Kind(
                creditor,
                creditor_type,
                account_type,
                "REVOLVING" if revolving else "INSTALLMENT",
                0,
                0,
                ecoa=ecoa_code,
                is_collection=collection,
            ),
            *seed,
        ),
        "currentBalance": _money(cents),
        "originalBalance": _money(cents),
        "monthlyPayment": _money(cents * (3 if revolving else 4) // 100),
        "delinquency": delinquency,
        "hasLastPayment": not collection,
    }
