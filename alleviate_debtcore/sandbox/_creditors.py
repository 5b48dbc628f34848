"""Credit service: the creditor directory (``creditors``, ``createCreditor``).

Creditors are created on first sight, from report tradelines or ``createCreditor``; a name
matches case-insensitively, and the longest existing name that prefixes a new one is its parent.
"""

from __future__ import annotations

from ._connections import matches_search, page_args, paginate
from ._dates import parse_timestamp, timestamp
from ._hashing import det_hex
from ._payload_envelope import VALIDATION_ERROR, BusinessError, JsonDict
from ._records import Creditor
from ._resolvers import RequestContext, ServiceResolvers
from ._state import SandboxState

resolvers = ServiceResolvers("credit")


def find_creditor_by_name(state: SandboxState, name: str) -> Creditor | None:
    wanted = name.strip().casefold()
    return next((c for c in state.creditors.values() if c.name.casefold() == wanted), None)


def add_creditor(state: SandboxState, name: str, creditor_id: str | None = None) -> Creditor:
    """The creditor called ``name`` (case-insensitive), created if it is new."""
    existing = find_creditor_by_name(state, name)
    if existing:
        return existing
    name = name.strip()
    # The longest existing name that prefixes this one is its parent ("Capital One Bank").
    parents = [
        c for c in state.creditors.values() if name.casefold().startswith(c.name.casefold() + " ")
    ]
    parent = max(parents, key=lambda c: len(c.name), default=None)
    creditor = Creditor(
        id=creditor_id or "cred-" + det_hex(10, "creditor", name.casefold()),
        name=name,
        created_at=state.now(),
        parent_id=parent.id if parent else None,
        parent_name=parent.name if parent else None,
    )
    state.creditors[creditor.id] = creditor
    return creditor


def _creditor_node(creditor: Creditor) -> JsonDict:
    return {
        "creditorId": creditor.id,
        "creditorName": creditor.name,
        "createdAt": timestamp(creditor.created_at),
    }


@resolvers.query("creditors")
def creditors(context: RequestContext, args: JsonDict) -> JsonDict:
    where: JsonDict = args.get("where") or {}
    after_text = where.get("updatedAfter")
    updated_after = parse_timestamp(after_text) if after_text else None
    if after_text and updated_after is None:
        raise BusinessError(VALIDATION_ERROR, "updatedAfter must be an ISO-8601 timestamp")
    found = [
        creditor
        for creditor in context.state.creditors.values()
        if (updated_after is None or creditor.created_at > updated_after)
        and matches_search(args.get("search"), (creditor.name,))
    ]
    found.sort(key=lambda creditor: (creditor.created_at, creditor.name.casefold()))
    page = paginate(found, lambda creditor: creditor.id, **page_args(args))
    return page.connection(
        lambda cursor, creditor: {"cursor": cursor, "node": _creditor_node(creditor)}
    )


@resolvers.mutation("createCreditor")
def create_creditor(context: RequestContext, args: JsonDict) -> JsonDict:
    name: str = args["input"]["creditorName"]
    if not name.strip():
        raise BusinessError(VALIDATION_ERROR, "creditorName must not be empty")
    creditor = add_creditor(context.state, name)
    return {
        "creditorId": creditor.id,
        "creditorName": creditor.name,
        "parentCreditorId": creditor.parent_id,
        "parentCreditorName": creditor.parent_name,
    }
