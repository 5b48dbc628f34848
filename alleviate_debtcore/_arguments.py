"""Client-side checks of an operation's arguments, run by the generated methods before sending.

An input arrives as its model, as a dict (snake_case or camelCase keys) or, for the one input a
method flattens, as keyword arguments. Each ends up as a validated model, so a dict is never sent
raw and the request body is encoded once, from the model. Failures raise
``InputValidationError`` with field paths and reasons, never values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

from pydantic import TypeAdapter, ValidationError

from ._models import UNSET, InputModel, OpenStrEnum, UnsetType, input_error
from .errors import FieldError, InputValidationError

__all__ = ["enum_arg", "input_arg", "input_list_arg", "scalar_arg"]

ModelT = TypeVar("ModelT", bound=InputModel)
EnumT = TypeVar("EnumT", bound=OpenStrEnum)


def _fail(path: str, reason: str) -> InputValidationError:
    return InputValidationError(
        f"invalid input, nothing was sent: {path}: {reason}", errors=[FieldError(path, reason)]
    )


def _validate(path: str, validator: Any, value: object) -> Any:
    # The error is raised outside the except block so the pydantic error (whose text quotes the
    # values) is not kept as __context__.
    try:
        return validator.validate_python(value)
    except ValidationError as exc:
        error = input_error(exc, prefix=path)
    raise error


def _model(path: str, model: type[ModelT], value: object) -> ModelT:
    if type(value) is model:  # built by the caller: validated when it was constructed
        return value  # pyright: ignore[reportReturnType]
    return cast(ModelT, _validate(path, model.__pydantic_validator__, value))


def input_arg(
    path: str, model: type[ModelT], value: object, fields: Mapping[str, object] | None = None
) -> Any:
    """An input-object argument as ``model``: from the model, a dict, or ``fields`` (the
    flattened keyword arguments, ``UNSET`` when not passed). ``UNSET`` and ``None`` pass."""
    if fields is not None:
        given = {name: v for name, v in fields.items() if v is not UNSET}
        if value is UNSET:  # the flattened form, the common case: one validation, from the dict
            try:
                return model.__pydantic_validator__.validate_python(given)
            except ValidationError as exc:
                error = input_error(exc)
            raise error
        if given:
            names = ", ".join(sorted(given))
            raise _fail(path, f"pass either {path}= or its fields ({names}), not both")
    if value is None or value is UNSET:
        return value
    return _model(path, model, value)


def input_list_arg(path: str, model: type[ModelT], value: object) -> Any:
    """A list of input objects, each as ``model``."""
    if value is None or isinstance(value, UnsetType):
        return value
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise _fail(path, "expected a list")
    items: Sequence[object] = value  # pyright: ignore[reportUnknownVariableType]
    return [_model(f"{path}.{index}", model, item) for index, item in enumerate(items)]


def enum_arg(path: str, enum: type[EnumT], value: object) -> Any:
    """An enum argument: a member or its value as a string; only values the schema lists."""
    if value is None or isinstance(value, UnsetType):
        return value
    if isinstance(value, str) and value in enum.__members__.values():
        return enum(value)
    allowed = ", ".join(enum.__members__)
    raise _fail(path, f"not a known {enum.__name__} value (expected one of {allowed})")


_SCALARS: dict[type, TypeAdapter[Any]] = {}


def scalar_arg(path: str, value: object, kind: type) -> Any:
    """A built-in scalar argument (``str``, ``int``, ``float``, ``bool``), checked strictly."""
    if value is None or isinstance(value, UnsetType):
        return value
    adapter = _SCALARS.get(kind)
    if adapter is None:
        adapter = _SCALARS[kind] = TypeAdapter(kind)
    if kind is not float and (
        not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool)
    ):
        # no "5" for an Int, no 1 for a String, no True for an Int
        raise _fail(path, f"expected {kind.__name__}, got {type(value).__name__}")
    return _validate(path, adapter, value)
