"""When a tariff element applies: OCPI 2.2.1 `TariffRestrictions`, evaluated at the start of a
charging period in the site's local time.

CPOs split charging periods where a tariff element may switch (mod_cdrs), so the state at a
period's start decides the element for the whole period. A restriction that needs a value the
period does not carry (a current limit without current dimensions) does not hold, and is
reported, rather than silently holding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from chargelake.costing.tariff import DAYS, Element, PriceComponent, Restrictions, Tariff

RESERVED = "RESERVATION"
EXPIRED = "RESERVATION_EXPIRES"


@dataclass(frozen=True)
class PeriodState:
    """What the restrictions look at, at the start of one charging period."""

    local: datetime  # the period start in the site's time zone
    kwh_before: Decimal  # energy charged in the session before this period
    seconds_since_start: Decimal  # since the start of the session
    current_min_a: Decimal | None
    current_max_a: Decimal | None
    power_min_kw: Decimal | None
    power_max_kw: Decimal | None
    reservation: str | None = None  # RESERVATION / RESERVATION_EXPIRES for reservation periods


def _in_time_window(t: time, start: time | None, end: time | None) -> bool:
    if start is None and end is None:
        return True
    if end is None or end == time(0):  # "to stop at the end of the day use 00:00"
        return t >= (start or time(0))
    if start is None:
        return t < end
    if start < end:
        return start <= t < end
    if start > end:  # wraps past midnight
        return t >= start or t < end
    return True


def _check(r: Restrictions, s: PeriodState, missing: set[str]) -> bool:
    local_time, local_day = s.local.timetz().replace(tzinfo=None), s.local.date().isoformat()
    if not _in_time_window(local_time, r.start_time, r.end_time):
        return False
    if r.start_date and local_day < r.start_date:
        return False
    if r.end_date and local_day >= r.end_date:
        return False
    if r.day_of_week and DAYS[s.local.weekday()] not in r.day_of_week:
        return False
    if r.min_kwh is not None and s.kwh_before < r.min_kwh:
        return False
    if r.max_kwh is not None and s.kwh_before >= r.max_kwh:
        return False
    if r.min_duration is not None and s.seconds_since_start < r.min_duration:
        return False
    if r.max_duration is not None and s.seconds_since_start >= r.max_duration:
        return False
    for name, limit, value, lower in (
        ("min_current", r.min_current, s.current_min_a, True),
        ("max_current", r.max_current, s.current_max_a, False),
        ("min_power", r.min_power, s.power_min_kw, True),
        ("max_power", r.max_power, s.power_max_kw, False),
    ):
        if limit is None:
            continue
        if value is None:
            missing.add(name)
            return False
        if (value < limit) if lower else (value >= limit):
            return False
    return True


def _reservation_order(elements: tuple[Element, ...], mode: str | None) -> list[Element]:
    """Elements eligible in a reservation mode, in the order they are searched.

    Outside a reservation only elements without a `reservation` restriction apply. During a
    reservation that was used, `RESERVATION` elements; for one that expired, `RESERVATION_EXPIRES`
    elements first (mod_tariffs: they win when both price TIME), then `RESERVATION` ones.
    """
    if mode is None:
        return [e for e in elements if e.restrictions.reservation is None]
    if mode == RESERVED:
        return [e for e in elements if e.restrictions.reservation == RESERVED]
    return [e for e in elements if e.restrictions.reservation == EXPIRED] + [
        e for e in elements if e.restrictions.reservation == RESERVED
    ]


def find_component(tariff: Tariff, kind: str, state: PeriodState, missing: set[str]) -> PriceComponent | None:
    """The price component of the first element, in list order, that prices `kind` and whose
    restrictions all hold; None when there is none (the dimension is then free)."""
    for element in _reservation_order(tariff.elements, state.reservation):
        for component in element.components:
            if component.type == kind and _check(element.restrictions, state, missing):
                return component
    return None
