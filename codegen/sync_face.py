# pyright: basic
# (works on ariadne-codegen's ast nodes)
"""``DebtCore``'s service clients (``sync_client.py``), derived from the async ones.

The sync module is a deep copy of the async client module the surface writes, with ``async def``
turned into ``def``, every ``await x`` into ``x``, the classes named ``Sync<Service>Client`` and
``Sync<Service>ClientWithPayload``, and the async runtime names swapped for their sync twins
(``ServiceClient``, ``AsyncPager``, ``payload_method``). Nothing else changes, so the two faces
have the same methods with the same signatures by construction (tests/test_sync_face.py checks
it), and both send the same ``_operations`` constants.
"""

from __future__ import annotations

import ast
import copy
import re

from codegen.surface import PAGER_DOC, SYNC_PAGER_DOC

SYNC_PREFIX = "Sync"
SYNC_MODULE = "sync_client"
_RUNTIME_RENAMES = {
    "ServiceClient": "SyncServiceClient",
    "AsyncPager": "SyncPager",
    "payload_method": "sync_payload_method",
}


def sync_name(name: str) -> str:
    return SYNC_PREFIX + name


class _ToSync(ast.NodeTransformer):
    """async def -> def, await x -> x, and names (identifiers, imports, forward references)
    renamed."""

    def __init__(self, renames: dict[str, str]) -> None:
        self.renames = renames
        self._names = re.compile(r"\b(" + "|".join(map(re.escape, renames)) + r")\b")

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        node.name = self.renames.get(node.name, node.name)
        self.generic_visit(node)
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.FunctionDef:
        self.generic_visit(node)
        function = ast.FunctionDef(
            name=node.name,
            args=node.args,
            body=node.body,
            decorator_list=node.decorator_list,
            returns=node.returns,
            type_comment=node.type_comment,
        )
        return ast.copy_location(function, node)

    def visit_Await(self, node: ast.Await) -> ast.expr:
        return self.visit(node.value)

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.renames.get(node.id, node.id)
        return node

    def visit_alias(self, node: ast.alias) -> ast.alias:
        node.name = self.renames.get(node.name, node.name)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        if isinstance(node.value, str):
            # Forward references ("CreditClientWithPayload") and docstrings naming a class.
            text = self._names.sub(lambda m: self.renames[m.group(1)], node.value)
            if text.endswith(PAGER_DOC):  # a pager's docstring: how to use it, per face
                text = text.removesuffix(PAGER_DOC) + SYNC_PAGER_DOC
            node.value = text
        return node


def sync_module(module: ast.Module, client_name: str) -> ast.Module:
    """The sync twin of the async client module (``client_name`` and its ``WithPayload``)."""
    names = (client_name, f"{client_name}WithPayload")
    classes = {s.name for s in module.body if isinstance(s, ast.ClassDef)}
    assert set(names) <= classes, f"{client_name}: the surface's classes moved"
    renames = {name: sync_name(name) for name in names} | _RUNTIME_RENAMES
    return _ToSync(renames).visit(copy.deepcopy(module))
