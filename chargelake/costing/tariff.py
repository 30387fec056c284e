"""OCPI tariffs as exact, typed values.

Tariffs arrive as OCPI JSON (spec examples, CDR-embedded tariffs) or as rows rebuilt from the raw
zone; both are parsed here once, so the engine never sees a float: every number becomes a
`Decimal` from its decimal text (a float's binary expansion would leak into money).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
ZERO = Decimal(0)


class TariffError(ValueError):
    """A tariff or CDR that cannot be read: the message names the object and the field."""


def dec(value: Any) -> Decimal | None:
    """A number as an exact Decimal: JSON floats through their shortest decimal text."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TariffError(f"expected a number, got {value!r}")
    if isinstance(value, (int, str)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raise TariffError(f"expected a number, got {value!r}")


def timestamp(value: Any) -> datetime:
    """An OCPI DateTime (a `Z`-suffixed or naive UTC string, or a datetime) as an aware datetime."""
    if isinstance(value, datetime):
        out = value
    else:
        text = str(value).strip()
        out = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if out.tzinfo is None:  # OCPI DateTime is UTC; a missing `Z` is common in the field
        out = out.replace(tzinfo=UTC)
    return out


def _hhmm(value: str | None) -> time | None:
    if value is None:
        return None
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise TariffError(f"time of day {value!r} is not HH:MM") from exc


@dataclass(frozen=True)
class PriceComponent:
    type: str
    price: Decimal
    vat: Decimal | None  # percent; None = no VAT applicable (not the same as 0%)
    step_size: int

    def cost(self, volume: Decimal) -> tuple[Decimal, Decimal]:
        excl = volume * self.price
        incl = excl * (1 + self.vat / 100) if self.vat is not None else excl
        return excl, incl


@dataclass(frozen=True)
class Restrictions:
    start_time: time | None = None
    end_time: time | None = None
    start_date: str | None = None  # local date, inclusive (ISO text compares in date order)
    end_date: str | None = None  # local date, exclusive
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current: Decimal | None = None
    max_current: Decimal | None = None
    min_power: Decimal | None = None
    max_power: Decimal | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    day_of_week: tuple[str, ...] = ()
    reservation: str | None = None

    @property
    def uses_local_time(self) -> bool:
        return bool(self.start_time or self.end_time or self.start_date or self.end_date or self.day_of_week)


@dataclass(frozen=True)
class Element:
    components: tuple[PriceComponent, ...]
    restrictions: Restrictions


@dataclass(frozen=True)
class Price:
    excl_vat: Decimal
    incl_vat: Decimal | None


@dataclass(frozen=True)
class Tariff:
    id: str
    currency: str
    elements: tuple[Element, ...]
    min_price: Price | None = None
    max_price: Price | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None

    @property
    def uses_local_time(self) -> bool:
        return any(e.restrictions.uses_local_time for e in self.elements)

    def active_at(self, at: datetime) -> bool:
        if self.start_date_time and at < self.start_date_time:
            return False
        return not (self.end_date_time and at >= self.end_date_time)


def _price(obj: Mapping | None) -> Price | None:
    if not obj or obj.get("excl_vat") is None:
        return None
    return Price(dec(obj["excl_vat"]), dec(obj.get("incl_vat")))


def _int(value: Any) -> int | None:
    return None if value is None else int(dec(value))


def _restrictions(obj: Mapping | None) -> Restrictions:
    r = obj or {}
    days = r.get("day_of_week") or ()
    unknown = [d for d in days if d not in DAYS]
    if unknown:
        raise TariffError(f"day_of_week has unknown values {unknown}")
    return Restrictions(
        start_time=_hhmm(r.get("start_time")),
        end_time=_hhmm(r.get("end_time")),
        start_date=r.get("start_date"),
        end_date=r.get("end_date"),
        min_kwh=dec(r.get("min_kwh")),
        max_kwh=dec(r.get("max_kwh")),
        min_current=dec(r.get("min_current")),
        max_current=dec(r.get("max_current")),
        min_power=dec(r.get("min_power")),
        max_power=dec(r.get("max_power")),
        min_duration=_int(r.get("min_duration")),
        max_duration=_int(r.get("max_duration")),
        day_of_week=tuple(days),
        reservation=r.get("reservation"),
    )


def _component(obj: Mapping) -> PriceComponent:
    if obj.get("type") is None or obj.get("price") is None:
        raise TariffError(f"price component {dict(obj)!r} lacks `type` or `price`")
    return PriceComponent(
        type=obj["type"],
        price=dec(obj["price"]),
        vat=dec(obj.get("vat")),
        step_size=_int(obj.get("step_size")) or 1,
    )


def parse_tariff(obj: Mapping) -> Tariff:
    """An OCPI Tariff object (2.2.1 shape; 2.1.1 tariffs are mapped into it on extraction)."""
    tariff_id = str(obj.get("id") or "")
    try:
        elements: Sequence[Mapping] = obj.get("elements") or ()
        return Tariff(
            id=tariff_id,
            currency=str(obj.get("currency") or ""),
            elements=tuple(
                Element(
                    tuple(_component(c) for c in e.get("price_components") or ()),
                    _restrictions(e.get("restrictions")),
                )
                for e in elements
            ),
            min_price=_price(obj.get("min_price")),
            max_price=_price(obj.get("max_price")),
            start_date_time=timestamp(obj["start_date_time"]) if obj.get("start_date_time") else None,
            end_date_time=timestamp(obj["end_date_time"]) if obj.get("end_date_time") else None,
        )
    except (TariffError, ValueError, ArithmeticError) as exc:
        raise TariffError(f"tariff {tariff_id!r}: {exc}") from exc
