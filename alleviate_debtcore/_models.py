"""What every generated model shares: one pydantic configuration, open enums, redacted reprs.

The generated packages' ``base_model.py`` re-exports these names (see codegen/plugin.py), so the
four services share one implementation.
"""

from __future__ import annotations

from enum import StrEnum
from io import IOBase
from typing import Any, ClassVar, Final

from pydantic import BaseModel as PydanticBaseModel
from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

__all__ = ["UNSET", "BaseModel", "OpenStrEnum", "UnsetType", "Upload", "is_sensitive"]

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
    )

    def __repr_args__(self) -> Any:
        # Applicant data must not reach logs or tracebacks through a repr.
        for name, value in super().__repr_args__():
            if name is not None and value is not None and is_sensitive(name):
                yield name, "REDACTED"
            else:
                yield name, value


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


class Upload:
    """A file for a multipart upload (no Debt Core operation takes one today)."""

    def __init__(self, filename: str, content: IOBase, content_type: str) -> None:
        self.filename = filename
        self.content = content
        self.content_type = content_type
