# Copied into every generated package by ariadne-codegen (base_client_file_path), which insists on
# a file for its base client (it only checks that the text "class BaseClient" appears here). The
# generated clients derive from alleviate_debtcore._base_client's ServiceClient and
# SyncServiceClient directly; BaseClient, which every service module exports, names the first.
from alleviate_debtcore._base_client import ServiceClient

BaseClient = ServiceClient
