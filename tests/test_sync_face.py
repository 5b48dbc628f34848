"""Both faces have the same surface: every method of every service, with the same signature, is
on ``AsyncDebtCore`` (coroutines, async pagers) and on ``DebtCore`` (blocking, sync pagers)."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest

from tests.support.doubles import StaticAuth

from alleviate_debtcore import AsyncDebtCore, DebtCore
from alleviate_debtcore._base_client import ServiceClient
from alleviate_debtcore._environment import SERVICES

ROOT = Path(__file__).resolve().parent.parent


_BASE = set(dir(ServiceClient))  # execute, parse_result, payload: the base client's


def _public(cls: type) -> dict[str, Any]:
    """The methods a caller uses: the operations, the waiters and ``with_payload``."""
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_")
        and name not in _BASE
        and (inspect.isfunction(member) or name == "with_payload")
    }


def _signature(function: Any) -> str:
    return str(inspect.signature(function)).replace("SyncPager", "AsyncPager")


def _faces(service: str) -> tuple[type, type]:
    """The classes of ``AsyncDebtCore().<service>`` and ``DebtCore().<service>``."""
    async_face = type(getattr(AsyncDebtCore(auth=StaticAuth()), service))
    with DebtCore(auth=StaticAuth()) as debtcore:
        sync_face = type(getattr(debtcore, service))
    return async_face, sync_face


@pytest.mark.parametrize("service", SERVICES)
def test_both_faces_have_the_same_methods_and_signatures(service: str) -> None:
    async_face, sync_face = _faces(service)
    async_methods, sync_methods = _public(async_face), _public(sync_face)
    assert set(async_methods) == set(sync_methods)
    assert len(async_methods) > 3
    for name, method in async_methods.items():
        if name == "with_payload":
            continue
        twin = sync_methods[name]
        assert _signature(twin) == _signature(method), name
        assert not inspect.iscoroutinefunction(twin), name
        pager = "AsyncPager" in str(inspect.signature(method).return_annotation)
        assert inspect.iscoroutinefunction(method) is not pager, name


@pytest.mark.parametrize("service", SERVICES)
def test_with_payload_twins_match(service: str) -> None:
    async_face, sync_face = _faces(service)
    module = importlib.import_module(f"alleviate_debtcore.{service}")
    name = f"{service.capitalize()}ClientWithPayload"
    async_cls, sync_cls = getattr(module, name), getattr(module, f"Sync{name}")
    assert inspect.signature(async_face.with_payload.func).return_annotation == name
    assert inspect.signature(sync_face.with_payload.func).return_annotation == f"Sync{name}"
    async_methods, sync_methods = _public(async_cls), _public(sync_cls)
    assert set(async_methods) == set(sync_methods) and async_methods
    for name, method in async_methods.items():
        assert inspect.iscoroutinefunction(method)
        assert not inspect.iscoroutinefunction(sync_methods[name])
        assert _signature(sync_methods[name]) == _signature(method), name


def test_the_sync_classes_are_generated_not_handwritten() -> None:
    for service in SERVICES:
        tree = ast.parse((ROOT / "generated" / service / "sync_client.py").read_text())
        classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
        name = f"{service.capitalize()}Client"
        assert {f"Sync{name}", f"Sync{name}WithPayload"} <= classes
