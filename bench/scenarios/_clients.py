"""The arms compared per call: typed AsyncDebtCore and DebtCore, raw httpx (async and sync), the
floor (raw httpx plus one-pass validation into the generated models) and gql, sending one document.

All arms share one EntraAuth (warm cache) and call the same URL with the same operation; each
builds its request per call as its user would (an input model, a dict, a GraphQLRequest).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport
from pydantic import BaseModel

from alleviate_debtcore import AsyncDebtCore, DebtCore, Environment
from alleviate_debtcore.credit import CreditReportQuery, GetCreditReportResponseFieldsData

from .._operation import REPORT_ID, CapturedOperation

HttpFactory = Callable[[], httpx.AsyncClient]


@dataclass(slots=True)
class TypedArm:
    debtcore: AsyncDebtCore
    http: httpx.AsyncClient

    @classmethod
    def create(cls, auth: httpx.Auth, environment: Environment, http: HttpFactory) -> TypedArm:
        client = http()
        return cls(AsyncDebtCore(auth=auth, environment=environment, http_client=client), client)

    async def call(self) -> object:
        return await self.debtcore.credit.credit_report(REPORT_ID)

    async def batch(self, n: int) -> None:
        for _ in range(n):
            await self.call()

    async def aclose(self) -> None:
        await self.debtcore.aclose()
        await self.http.aclose()  # injected, so AsyncDebtCore leaves it open


@dataclass(slots=True)
class RawArm:
    http: httpx.AsyncClient
    url: str
    operation: CapturedOperation

    @classmethod
    def create(
        cls, auth: httpx.Auth, url: str, operation: CapturedOperation, http: HttpFactory
    ) -> RawArm:
        client = http()
        client.auth = auth
        return cls(client, url, operation)

    async def call(self) -> Any:
        response = await self.http.post(self.url, json=self.operation.payload())
        return response.json()

    async def batch(self, n: int) -> None:
        for _ in range(n):
            await self.call()

    async def aclose(self) -> None:
        await self.http.aclose()


class FloorResponse(BaseModel):
    """The response body as the operation's generated model: what any typed call must build."""

    data: CreditReportQuery


def floor_report(content: bytes) -> GetCreditReportResponseFieldsData | None:
    """The floor's one pass: body bytes straight into the generated models (pydantic-core parses
    the JSON itself), returning what the typed method returns."""
    return FloorResponse.model_validate_json(content).data.credit_report.data


@dataclass(slots=True)
class FloorArm:
    """The floor of a typed call: raw ``httpx.AsyncClient.post(json=...)``, then one-pass
    ``model_validate_json`` of the body into the same generated models. No typed client can do
    less than the round trip and this validation; the typed arm's cost above it is the engine's."""

    http: httpx.AsyncClient
    url: str
    operation: CapturedOperation

    @classmethod
    def create(
        cls, auth: httpx.Auth, url: str, operation: CapturedOperation, http: HttpFactory
    ) -> FloorArm:
        client = http()
        client.auth = auth
        return cls(client, url, operation)

    async def call(self) -> GetCreditReportResponseFieldsData | None:
        response = await self.http.post(self.url, json=self.operation.payload())
        return floor_report(response.content)

    async def batch(self, n: int) -> None:
        for _ in range(n):
            await self.call()

    async def aclose(self) -> None:
        await self.http.aclose()


@dataclass(slots=True)
class SyncTypedArm:
    """``DebtCore`` (blocking) over its own ``httpx.Client``."""

    debtcore: DebtCore
    http: httpx.Client

    @classmethod
    def create(cls, auth: httpx.Auth, environment: Environment) -> SyncTypedArm:
        client = httpx.Client()
        return cls(DebtCore(auth=auth, environment=environment, http_client=client), client)

    def call(self) -> object:
        return self.debtcore.credit.credit_report(REPORT_ID)

    def batch(self, n: int) -> None:
        for _ in range(n):
            self.call()

    def close(self) -> None:
        self.debtcore.close()
        self.http.close()  # injected, so DebtCore leaves it open


@dataclass(slots=True)
class SyncRawArm:
    """Raw ``httpx.Client.post(json=...)``, as a blocking user would write it."""

    http: httpx.Client
    url: str
    operation: CapturedOperation

    @classmethod
    def create(cls, auth: httpx.Auth, url: str, operation: CapturedOperation) -> SyncRawArm:
        return cls(httpx.Client(auth=auth), url, operation)

    def call(self) -> Any:
        response = self.http.post(self.url, json=self.operation.payload())
        return response.json()

    def batch(self, n: int) -> None:
        for _ in range(n):
            self.call()

    def close(self) -> None:
        self.http.close()


@dataclass(slots=True)
class SyncFloorArm:
    """``FloorArm`` for the blocking face, over ``httpx.Client``."""

    http: httpx.Client
    url: str
    operation: CapturedOperation

    @classmethod
    def create(cls, auth: httpx.Auth, url: str, operation: CapturedOperation) -> SyncFloorArm:
        return cls(httpx.Client(auth=auth), url, operation)

    def call(self) -> GetCreditReportResponseFieldsData | None:
        response = self.http.post(self.url, json=self.operation.payload())
        return floor_report(response.content)

    def batch(self, n: int) -> None:
        for _ in range(n):
            self.call()

    def close(self) -> None:
        self.http.close()


@dataclass(slots=True)
class GqlArm:
    """graphql-python/gql over its httpx transport; schema fetching and result parsing off."""

    client: Client
    session: Any
    document: GraphQLRequest
    operation: CapturedOperation

    @classmethod
    async def create(cls, auth: httpx.Auth, url: str, operation: CapturedOperation) -> GqlArm:
        transport = HTTPXAsyncTransport(url=url, auth=auth)  # kwargs go to httpx.AsyncClient
        client = Client(transport=transport, fetch_schema_from_transport=False, parse_results=False)
        session = await client.connect_async()  # pyright: ignore[reportUnknownMemberType]
        # Parsed once, as gql users do with a module-level gql(...) constant.
        document = GraphQLRequest(operation.query)
        return cls(client, session, document, operation)

    async def call(self) -> Any:
        request = GraphQLRequest(
            self.document,
            variable_values=self.operation.payload()["variables"],
            operation_name=self.operation.operation_name,
        )
        return await self.session.execute(request)

    async def batch(self, n: int) -> None:
        for _ in range(n):
            await self.call()

    async def aclose(self) -> None:
        await self.client.close_async()
