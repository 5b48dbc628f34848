"""``DebtCoreSandbox``: a local sandbox in this process, a client wired to it, scenarios and
inspection.

The client reaches the sandbox's ASGI app through ``InProcessTransport`` for the token endpoint and
the four services alike: no port is opened, no thread started, and the calls run on the test's own
event loop. (The blocking ``DebtCore`` of ``sync_client()`` cannot run the app on its caller's
thread: ``SyncInProcessTransport`` runs it on one background thread's loop.) Only
``alleviate_debtcore.sandbox`` needs the ``sandbox`` extra, and it is imported when a sandbox is
created, so importing this package (as the pytest plugin does in every pytest run) never fails.
"""

from __future__ import annotations

import importlib
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Self

import httpx

from alleviate_debtcore.auth import ClientSecretCredential, EntraAuth

from .._client import AsyncDebtCore
from .._environment import Environment
from .._sync_client import DebtCore
from .._transport import DEFAULT_MAX_RETRIES
from ..errors import ConfigurationError
from ._applicants import Applicant, SandboxClock, Tradeline
from ._in_process import InProcessTransport, SyncInProcessTransport

if TYPE_CHECKING:
    from ..sandbox import Faults, ReceivedRequest, RequestLimits, SandboxApp, SandboxState

__all__ = ["DebtCoreSandbox", "SandboxExtraMissingError"]


class _Unclosed(httpx.BaseTransport):
    """Lends a shared transport to one client: closing the client leaves it open."""

    def __init__(self, shared: httpx.BaseTransport) -> None:
        self._shared = shared

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._shared.handle_request(request)


# Never resolved: every request goes to the in-process app. (.test is reserved, RFC 2606.)
IN_PROCESS_URL = "https://debtcore-sandbox.test"


class SandboxExtraMissingError(ConfigurationError):
    """The in-process sandbox needs the ``sandbox`` extra (ariadne, graphql-core)."""


def require_sandbox() -> None:
    """Import the sandbox, or explain which extra is missing."""
    try:
        importlib.import_module("alleviate_debtcore.sandbox")
    except ImportError as error:
        raise SandboxExtraMissingError(
            "alleviate_debtcore.testing needs the sandbox extra: "
            f"pip install 'alleviate-debtcore[sandbox]' (missing module: {error.name})"
        ) from None


class DebtCoreSandbox:
    """A fresh in-process sandbox; ``client()`` gives an ``AsyncDebtCore`` wired to it,
    ``sync_client()`` a ``DebtCore``.

    >>> with DebtCoreSandbox() as sandbox:  # doctest: +SKIP
    ...     debtcore = sandbox.client()
    ...     applicant = sandbox.applicant(tradelines=[Tradeline.mortgage("ROCKET", 150_000)])

    Options (keyword-only): ``clock`` (a ``datetime`` to freeze the sandbox's time at, or a
    ``SandboxClock``; default the wall clock, still advanceable), ``docs_fixtures`` (preload the
    records the API docs' examples name; default False), ``faults`` and ``limits`` (the
    sandbox's ``Faults`` and ``RequestLimits``).
    """

    def __init__(
        self,
        *,
        clock: datetime | SandboxClock | None = None,
        docs_fixtures: bool = False,
        faults: Faults | None = None,
        limits: RequestLimits | None = None,
    ) -> None:
        require_sandbox()
        from ..sandbox import create_app

        self.clock = clock if isinstance(clock, SandboxClock) else SandboxClock(clock)
        self.app: SandboxApp = create_app(
            clock=self.clock, docs_fixtures=docs_fixtures, faults=faults, limits=limits
        )
        self.environment = Environment.local(
            IN_PROCESS_URL, tenant_id=self.state.tokens.tenant_id, app_id=self.state.tokens.app_id
        )
        self._numbers = itertools.count(1)
        self._clients: list[httpx.AsyncClient] = []
        self._sync_transport: SyncInProcessTransport | None = None

    @property
    def state(self) -> SandboxState:
        """The sandbox's own state and controls (``alleviate_debtcore.sandbox.SandboxState``)."""
        return self.app.sandbox

    # --- clients -------------------------------------------------------------------------------

    def http_client(self) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` whose every request goes to this sandbox."""
        client = httpx.AsyncClient(transport=InProcessTransport(self.app), trust_env=False)
        self._clients.append(client)
        return client

    def credential(self) -> ClientSecretCredential:
        """The sandbox's client credentials, fetching tokens in-process."""
        return ClientSecretCredential(
            tenant_id=self.environment.tenant_id,
            client_id=self.state.tokens.client_id,
            client_secret=self.state.tokens.client_secret,
            authority=self.environment.authority,
            async_client=self.http_client(),
        )

    def client(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncDebtCore:
        """An ``AsyncDebtCore`` with real Entra-style auth against this sandbox.

        Nothing it holds needs closing (no sockets), so it may outlive an ``async with``.
        """
        auth = EntraAuth(self.credential(), scope=self.environment.scope)
        return AsyncDebtCore(
            auth=auth,
            environment=self.environment,
            http_client=self.http_client(),
            timeout=timeout,
            max_retries=DEFAULT_MAX_RETRIES if max_retries is None else max_retries,
            headers=headers,
        )

    def sync_http_client(self) -> httpx.Client:
        """An ``httpx.Client`` whose every request goes to this sandbox (its app runs on one
        background thread's event loop: ``SyncInProcessTransport``)."""
        if self._sync_transport is None:
            self._sync_transport = SyncInProcessTransport(self.app)
        # The clients share the transport, which the sandbox closes: never close it with them.
        return httpx.Client(transport=_Unclosed(self._sync_transport), trust_env=False)

    def sync_client(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> DebtCore:
        """A ``DebtCore`` (blocking) with real Entra-style auth against this sandbox; its
        requests run in-process too. The sandbox's exit stops the thread they run on."""
        credential = ClientSecretCredential(
            tenant_id=self.environment.tenant_id,
            client_id=self.state.tokens.client_id,
            client_secret=self.state.tokens.client_secret,
            authority=self.environment.authority,
            sync_client=self.sync_http_client(),
        )
        return DebtCore(
            auth=EntraAuth(credential, scope=self.environment.scope),
            environment=self.environment,
            http_client=self.sync_http_client(),
            timeout=timeout,
            max_retries=DEFAULT_MAX_RETRIES if max_retries is None else max_retries,
            headers=headers,
        )

    # --- scenarios -----------------------------------------------------------------------------

    def applicant(
        self,
        *,
        tradelines: Iterable[Tradeline] | None = None,
        report_status: str = "COMPLETED",
        state: str = "TX",
        contact_id: str | None = None,
    ) -> Applicant:
        """A new applicant whose credit report holds exactly ``tradelines`` and ends in
        ``report_status`` (``COMPLETED``, ``PENDING``, ``IN_PROGRESS`` or ``FAILED``; PENDING
        and IN_PROGRESS stay so). ``tradelines=None`` keeps the sandbox's generated file."""
        number = next(self._numbers)
        person = Applicant(
            contact_id=contact_id or f"applicant-{number:04d}",
            first_name="TESTA",
            last_name=f"APPLICANT{number:04d}",
            ssn=f"666{number:06d}",
            dob="1980-01-15",
            address_line1=f"{number} TEST KIT LANE",
            city="AUSTIN",
            state=state,
            zip="73301",
            tradelines=tuple(tradelines) if tradelines is not None else (),
            report_status=report_status,
        )
        if tradelines is not None or report_status != "COMPLETED":
            self._script(person, generated=tradelines is None)
        return person

    def _script(self, person: Applicant, *, generated: bool) -> None:
        from ..sandbox import CreditFile
        from ..sandbox._tradelines import scripted_tradeline, tradelines

        identity = {
            "firstName": person.first_name,
            "lastName": person.last_name,
            "ssn": person.ssn,
            "dob": person.dob,
            "addressLine1": person.address_line1,
            "city": person.city,
            "state": person.state,
            "zip": person.zip,
        }
        lines = (
            tradelines(identity)
            if generated
            else [
                scripted_tradeline(
                    creditor=line.creditor,
                    account_type=line.account_type,
                    balance=line.amount,
                    creditor_type=line.creditor_type,
                    delinquency=line.delinquency,
                    ecoa_code=line.ecoa_code,
                    seed=(person.contact_id, index),
                )
                for index, line in enumerate(person.tradelines)
            ]
        )
        credit_file = CreditFile(tuple(lines), report_status=person.report_status)
        self.state.scenarios.script_file((person.contact_id, person.ssn), credit_file)

    def fail_enrollment_step(self, step: str, *, lead_id: str | None = None) -> None:
        """Enrollments (for ``lead_id``, or every one) fail at ``step``; the steps after it are
        SKIPPED and ``enrollmentStatus`` carries a STEP_FAILED error."""
        from ..sandbox._enrollment import STEPS  # the sandbox is loaded: self.state exists

        if step not in STEPS:
            raise ConfigurationError(f"step must be one of {', '.join(STEPS)}")
        self.state.scenarios.fail_step(step, lead_id)

    def fail_operation(
        self,
        operation: str,
        *,
        status: int | None = None,
        graphql_error: str | None = None,
        error_code: str = "INTERNAL_SERVER_ERROR",
        latency: float = 0.0,
        lost_response: bool = False,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``operation`` (a root field such as
        ``pullCreditReport``, or an operationName) get: HTTP ``status`` (not executed), a
        top-level ``graphql_error`` (not executed), ``latency`` seconds first, or a
        ``lost_response`` (executed, then 502)."""
        from ..sandbox import OperationFault

        try:
            fault = OperationFault(
                status=status,
                graphql_error=graphql_error,
                error_code=error_code,
                latency=latency,
                lost_response=lost_response,
                times=times,
            )
        except ValueError as error:
            raise ConfigurationError(str(error)) from None
        self.state.scenarios.add_fault(operation, fault)

    def revoke_tokens(self) -> int:
        """Revoke every token issued so far; the next call with one gets a 401."""
        return self.state.revoke_tokens()

    # --- inspection ----------------------------------------------------------------------------

    @property
    def requests(self) -> tuple[ReceivedRequest, ...]:
        """GraphQL requests received (latest 10,000): service, operation name, root fields and
        variables with applicant fields redacted."""
        return self.state.requests.entries

    def operations(self) -> list[str]:
        """The root fields requested, in order (e.g. ``["pullCreditReport", ...]``)."""
        return [name for request in self.requests for name in request.fields]

    def executions(self) -> Counter[str]:
        """How many times each root field executed (faulted calls that did not run excluded)."""
        return self.state.executions.by_operation()

    def mutation_executions(self) -> Counter[str]:
        """How many times each mutation executed."""
        return self.state.executions.by_operation("mutation")

    @property
    def token_requests(self) -> int:
        """Token requests received (failed ones included)."""
        return self.state.http_requests["token"]

    # --- lifetime ------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the HTTP clients handed out (they hold no sockets; this only marks them) and
        stop the sync clients' thread."""
        for client in self._clients:
            await client.aclose()
        self._clients.clear()
        self._close_sync()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._clients.clear()
        self._close_sync()

    def _close_sync(self) -> None:
        if self._sync_transport is not None:
            self._sync_transport.close()
            self._sync_transport = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"DebtCoreSandbox(requests={len(self.requests)}, clock={self.clock!r})"
