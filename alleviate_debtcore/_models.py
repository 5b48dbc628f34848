"""What every generated model shares: one pydantic configuration, open enums, redacted reprs.

Inputs are stricter than results: ``InputModel`` forbids unknown fields, keeps values out of
error texts and raises ``InputValidationError``; ``KnownValue`` rejects enum values the schema
does not list (results keep accepting them: a newer server may send new ones).

The generated packages' ``base_model.py`` re-exports these names (see codegen/plugin.py), so the
four services share one implementation.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from io import IOBase
from typing import Any, ClassVar, Final, Self, cast

from pydantic import AfterValidator, ConfigDict, ValidationError
from pydantic import BaseModel as PydanticBaseModel
from pydantic.alias_generators import to_camel

from ._redaction import Redactor
from .errors import FieldError, InputValidationError

__all__ = [
    "UNSET",
    "BaseModel",
    "InputModel",
    "KnownValue",
    "OpenStrEnum",
    "PayloadModel",
    "UnsetType",
    "Upload",
    "input_error",
    "is_sensitive",
]

# Applicant data and secrets, recognised by name: a field whose name (lowercase, underscores
# removed) contains one of these, or is one of the exact names, never shows its value in a repr.
_SENSITIVE_PARTS: Final = (
    "ssn", "dob", "dateofbirth", "firstname", "middlename", "lastname", "fullname", "email",
    "phone", "address", "accountnumber", "routingnumber", "accountholder", "verificationcode",
    "reportjson", "alternativenames",
)  # fmt: skip
_SENSITIVE_NAMES: Final = frozenset({"name", "answers", "suffix"})


def is_sensitive(field_name: str) -> bool:
    """Whether a field (GraphQL or Python name) may carry applicant data or a secret."""
    key = field_name.replace("_", "").lower()
    return key in _SENSITIVE_NAMES or any(part in key for part in _SENSITIVE_PARTS)


class UnsetType:
    """The value of an optional operation argument that is left out of the request entirely."""

    _instance: ClassVar[UnsetType | None] = None

    def __new__(cls) -> UnsetType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = UnsetType()


class BaseModel(PydanticBaseModel):
    """Base of every generated input and result model."""

    # Aliases are the schema's camelCase names (codegen's use_alias_generator spells out only the
    # exceptions); populate_by_name lets users pass the snake_case names.
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        validate_assignment=True,
        arbitrary_types_allowed=True,
        protected_namespaces=(),
        # Build validators on first use: importing the four services' ~1,000 models eagerly
        # took most of the package's cold import time (pyproject: defer_model_build).
        defer_build=True,
        # Field names repeat in every response; values (ids, names) rarely do, and caching them
        # cost about a tenth of a credit report's parse.
        cache_strings="keys",
    )

    def __repr_args__(self) -> Any:
        # Applicant data must not reach logs or tracebacks through a repr.
        for name, value in super().__repr_args__():
            if name is not None and value is not None and is_sensitive(name):
                yield name, "REDACTED"
            else:
                yield name, value


def field_errors(
    exc: ValidationError, *, prefix: str = "", limit: int | None = None, redact: Redactor
) -> list[FieldError]:
    """Paths and reasons of a pydantic error, without its inputs (they may be applicant data),
    redacted: a path may hold a key and a reason a tag from the data."""
    found: list[FieldError] = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        path = ".".join(str(part) for part in (prefix, *error["loc"]) if part != "")
        found.append(FieldError(redact(path), redact(error["msg"])))
        if limit is not None and len(found) >= limit:
            break
    return found


def input_error(exc: ValidationError, *, prefix: str = "", what: str = "") -> InputValidationError:
    """``InputValidationError`` for a failed input validation; the pydantic error is not kept.

    Redacted of the failing inputs, the only values a pydantic reason could quote."""
    inputs = [e.get("input") for e in exc.errors(include_url=False, include_context=False)]
    redact = Redactor(inputs)
    errors = field_errors(exc, prefix=prefix, redact=redact)
    shown = "; ".join(str(e) for e in errors[:5])
    more = f"; and {len(errors) - 5} more" if len(errors) > 5 else ""
    return InputValidationError(
        redact(f"invalid {what or 'input'}, nothing was sent: {shown}{more}"), errors=errors
    )


class InputModel(BaseModel):
    """Base of every generated input model: unknown fields are errors, values stay out of error
    texts, and a failed construction raises ``InputValidationError``."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, loc_by_alias=False)

    def __init__(self, /, **data: Any) -> None:
        # BaseModel.__init__'s one step, with our error. Raised outside the except block so the
        # pydantic error (its text quotes the values) is not even kept as __context__.
        try:
            self.__pydantic_validator__.validate_python(data, self_instance=self)
            return
        except ValidationError as exc:
            error = input_error(exc, what=type(self).__name__)
        raise error

    # Validation of a nested input must not call the __init__ above (pydantic calls a custom
    # __init__ during validation); marking it as the base one keeps pydantic's fast path.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        # Options passed through as given: each pydantic 2.x release adds keywords (by_alias,
        # by_name in 2.11, extra in 2.12), and naming them all would need the newest one.
        result: list[Self] = []

        def validate() -> None:
            result.append(super(InputModel, cls).model_validate(obj, **options))

        error = _validate_input(validate, cls)
        if error is not None:
            raise error
        return result[0]


def _validate_input(validate: Callable[[], object], model: type) -> InputValidationError | None:
    try:
        validate()
    except ValidationError as exc:
        return input_error(exc, what=model.__name__)
    return None


class PayloadModel(BaseModel):
    """Base of every operation's ``{data, errors}`` payload; ``request_id`` names the call."""

    # Slots, not pydantic private attributes: those cost an extra Python call per instance.
    # _sent: the call's variables, what a PayloadError from this payload redacts.
    __slots__ = ("_request_id", "_sent")

    @property
    def request_id(self) -> str | None:
        """The id of the HTTP call that returned this payload (quote it to support)."""
        return cast(str | None, getattr(self, "_request_id", None))

    def _stamp(self, request_id: str, sent: object = None) -> None:
        object.__setattr__(self, "_request_id", request_id)
        object.__setattr__(self, "_sent", sent)


class OpenStrEnum(StrEnum):
    """A string enum that also accepts values it does not know.

    A newer server may add enum values; parsing keeps them as pseudo-members (``.name`` equals the
    value, ``is_known`` is False) instead of failing the whole response.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """Whether this value is in the schema the client was generated from."""
        return self._name_ in type(self).__members__


def _require_known(value: OpenStrEnum) -> OpenStrEnum:
    if not value.is_known:
        allowed = ", ".join(type(value).__members__)
        raise ValueError(f"not a known {type(value).__name__} value (expected one of {allowed})")
    return value


# Input enum fields are annotated ``Annotated[SomeEnum, KnownValue]`` by the codegen plugin.
KnownValue: Final = AfterValidator(_require_known)


class Upload:
    """A file for a multipart upload (no Debt Core operation takes one today)."""

    def __init__(self, filename: str, content: IOBase, content_type: str) -> None:
        self.filename = filename
        self.content = content
        self.content_type = content_type
