"""``ClientAssertionCredential``: the client proves its identity with an assertion from elsewhere.

Workload identity federation: a trusted issuer (Kubernetes, GitHub Actions, another cloud) gives
the workload a signed JWT, and Entra ID accepts it in place of a secret when the app has a
federated credential for that issuer and subject. The assertion comes from a callable or a file
that is read again for every token request (Kubernetes rotates the projected token file).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Unpack

from alleviate_debtcore.errors import ConfigurationError, CredentialError, DebtCoreError

from ._certificate import ASSERTION_TYPE, path_name
from ._credential import (
    CredentialOptions,
    TokenEndpointCredential,
    authority_from_env,
    require_env,
)

__all__ = ["ClientAssertionCredential"]


class ClientAssertionCredential(TokenEndpointCredential):
    """Client-credentials grant with a client assertion: ``func()`` or the contents of
    ``token_file`` (exactly one of them), fetched anew for each token request.

    Takes the options of :class:`TokenEndpointCredential` (``authority``, ``timeout``,
    ``max_retries``, ``async_client``, ``sync_client``).
    """

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        func: Callable[[], str] | None = None,
        token_file: str | os.PathLike[str] | None = None,
        **options: Unpack[CredentialOptions],
    ) -> None:
        if (func is None) == (token_file is None):
            raise ConfigurationError("pass exactly one of func and token_file")
        if func is not None and not callable(func):
            raise ConfigurationError(
                f"func must be a callable that returns the assertion, not {type(func).__name__}"
            )
        path = None if token_file is None else path_name(token_file, "token_file")
        super().__init__(tenant_id=tenant_id, client_id=client_id, **options)
        self._func = func
        self._token_file = None if path is None else Path(path)

    @classmethod
    def from_env(
        cls, *, environ: Mapping[str, str] | None = None, **options: Unpack[CredentialOptions]
    ) -> ClientAssertionCredential:
        """Workload identity: ``AZURE_TENANT_ID``, ``AZURE_CLIENT_ID``,
        ``AZURE_FEDERATED_TOKEN_FILE`` and, when set, ``AZURE_AUTHORITY_HOST`` (the variables
        the Azure workload identity webhook injects)."""
        env = os.environ if environ is None else environ
        merged: CredentialOptions = {**authority_from_env(env), **options}
        return cls(
            tenant_id=require_env(env, "AZURE_TENANT_ID"),
            client_id=require_env(env, "AZURE_CLIENT_ID"),
            token_file=require_env(env, "AZURE_FEDERATED_TOKEN_FILE"),
            **merged,
        )

    def _client_authentication(self) -> dict[str, str]:
        return {"client_assertion_type": ASSERTION_TYPE, "client_assertion": self._assertion()}

    def _assertion(self) -> str:
        if self._token_file is not None:
            try:
                assertion = self._token_file.read_text(encoding="utf-8").strip()
            except (OSError, ValueError) as exc:  # ValueError: not UTF-8, a NUL in the path
                raise ConfigurationError(
                    f"cannot read the federated token file {os.fspath(self._token_file)!r} "
                    f"({type(exc).__name__})"
                ) from None
            source = f"the federated token file {os.fspath(self._token_file)!r}"
        else:
            assert self._func is not None
            source = "func()"
            try:
                assertion = self._func()
            except DebtCoreError:
                raise
            except Exception as exc:
                # The caller's own error stays in the chain; the message names only its type.
                raise CredentialError(
                    f"ClientAssertionCredential's func() raised {type(exc).__name__}: no client "
                    "assertion to send"
                ) from exc
        # A JWT: three base64url parts. Anything else would be sent to Entra as is; say so here.
        if not isinstance(assertion, str) or assertion.count(".") != 2:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ConfigurationError(f"{source} did not give a JWT client assertion")
        return assertion
