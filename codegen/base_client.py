# Copied into every generated package by ariadne-codegen (base_client_file_path): the shared
# implementation lives in alleviate_debtcore._base_client.
from alleviate_debtcore._base_client import ServiceClient, SyncServiceClient


class BaseClient(ServiceClient):
    """Base of this service's generated async client."""


class SyncBaseClient(SyncServiceClient):
    """Base of this service's generated sync client (``DebtCore``'s)."""
