"""Building blocks of the payload contracts: money, references, the payload base model.

Payload models are the one source of truth for event data: the API validates with them,
the JSON Schemas in ``schemas/events/`` are generated from them, and the stored data is
their dump with ``context={"stored": True}`` (money as integer fen).
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializationInfo,
    ValidationInfo,
    WrapValidator,
    field_validator,
)
from pydantic.json_schema import WithJsonSchema

from ledger.contracts.text import DATE_PATTERN, EntityId, SafeText, date_in_range  # noqa: F401 (EntityId: re-exported)


def _stored(info: ValidationInfo | SerializationInfo) -> bool:
    return bool(info.context and info.context.get("stored"))


def _validate_money(value: Any, handler: Any, info: ValidationInfo) -> int:
    from ledger.domain.money import (  # here: domain/__init__ imports the contracts
        MoneyFormatError,
        parse_yuan,
    )

    if _stored(info) and isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return parse_yuan(value)
    except MoneyFormatError as exc:
        raise MoneyFormatError(f"{exc} (money-format)") from None


def _serialize_money(value: int, info: SerializationInfo) -> int | str:
    from ledger.domain.money import format_fen

    return value if _stored(info) else format_fen(value)


Money = Annotated[
    int,
    WrapValidator(_validate_money),
    PlainSerializer(_serialize_money),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?[0-9]{1,15}(\.[0-9]{1,2})?$",
            "description": "Yuan as a decimal string with at most two decimals; stored as integer fen.",
            "examples": ["50000.00"],
        }
    ),
]
"""An amount: '50000.00' yuan at the API, 5000000 fen when stored."""

PositiveMoney = Annotated[Money, Field(gt=0)]

Text = SafeText

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DateFormatError(ValueError):
    """A date was not written YYYY-MM-DD in ASCII digits with nothing after."""

    rule = "date-format"


def iso_date_only(value: Any) -> Any:
    """Dates are 'YYYY-MM-DD' strings of ASCII digits in the ledger's range (or date objects in code)."""
    if isinstance(value, date):
        return date_in_range(value)
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise DateFormatError(f"dates are ISO strings YYYY-MM-DD (date-format); got {value!r}")
    return date_in_range(value)


IsoDate = Annotated[date, BeforeValidator(iso_date_only),
                  WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN,
                                  "description": "YYYY-MM-DD, in 1949-10-01..2199-12-31."})]
"""A calendar date, written YYYY-MM-DD."""

_ASCII_INT = re.compile(r"[0-9]{1,18}")


class NumberFormatError(ValueError):
    """A count or position was not written in ASCII digits with nothing after."""

    rule = "number-format"


def ascii_int_only(value: Any) -> Any:
    """Positions, sizes and counts given as text are ASCII digits only, nothing after ("12\\n", "١٢" refused)."""
    if isinstance(value, str) and not _ASCII_INT.fullmatch(value):
        raise NumberFormatError(f"a position or count is ASCII digits (number-format); got {value!r}")
    return value


AsciiInt = Annotated[int, BeforeValidator(ascii_int_only)]
"""A non-negative whole number in ASCII digits (log positions, tree sizes, page sizes)."""


def _is_date_annotation(annotation: Any) -> bool:
    if annotation is date:
        return True
    if get_origin(annotation) in (Union, getattr(__import__("types"), "UnionType", Union)):
        return date in get_args(annotation)
    return False


@lru_cache(maxsize=None)
def _is_date_field(model: type[BaseModel], name: str) -> bool:
    """Whether the model's field is a date (asked for every field of every payload: answered once)."""
    field = model.model_fields.get(name)
    return field is not None and _is_date_annotation(field.annotation)


class Payload(BaseModel):
    """Base of every event's data: unknown fields are refused, strings kept as given."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    @field_validator("*", mode="before")
    @classmethod
    def _dates_are_iso_strings(cls, value: Any, info: ValidationInfo) -> Any:
        if value is not None and _is_date_field(cls, info.field_name or ""):
            return iso_date_only(value)
        return value

    def stored(self) -> dict[str, Any]:
        """The data as stored in the event: JSON types, money in fen."""
        return self.model_dump(mode="json", context={"stored": True}, exclude_none=True)

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> "Payload":
        """Rebuild the payload from stored data (money in fen)."""
        return cls.model_validate(data, context={"stored": True})
