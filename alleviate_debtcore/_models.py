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

__all__ = ["SENSITIVE_FIELDS", "UNSET", "BaseModel", "OpenStrEnum", "UnsetType", "Upload"]

# Fields that carry applicant data or secrets, by GraphQL name and by Python name: never shown in
# a repr. Matched case-insensitively.
SENSITIVE_FIELDS: Final[frozenset[str]] = frozenset(
    name.lower()
    for name in (
        "ssn",
        "dob",
        "dateOfBirth",
        "date_of_birth",
        "firstName",
        "first_name",
        "middleName",
        "middle_name",
        "lastName",
        "last_name",
        "name",
        "fullName",
        "full_name",
        "email",
        "phone",
        "phoneNumber",
        "phone_number",
        "addressLine1",
        "address_line1",
        "addressLine2",
        "address_line2",
        "address",
        "accountNumber",
        "account_number",
        "routingNumber",
        "routing_number",
        "bankAccountNumber",
        "bank_account_number",
        "verificationCode",
        "verification_code",
        "reportJson",
        "report_json",
        "answers",
    )
)


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
    )

    def __repr_args__(self) -> Any:
        # Applicant data must not reach logs or tracebacks through a repr.
        for name, value in super().__repr_args__():
            if name is not None and name.lower() in SENSITIVE_FIELDS and value is not None:
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
