"""Small test doubles shared by several test modules."""

from __future__ import annotations

from collections.abc import Generator

import httpx

TEST_TOKEN = "test-access-token-value"


class StaticAuth(httpx.Auth):
    """A fixed bearer token: for tests about the API side, not the token side."""

    def __init__(self, token: str = TEST_TOKEN) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request
