"""The price of one CDR under OCPI 2.2.1 costing rules, exactly (Decimal throughout).

Rules, with where the spec says them (`docs/costing.md` walks through examples):
- Per charging period and dimension, the first tariff element that prices the dimension and whose
  restrictions hold at the period's start (mod_tariffs, Tariff object). No such element: free.
- FLAT is charged once for the charging part of a session (looked up at its first period) and once
  for a reservation (looked up in the reservation elements).
- `step_size` rounds up the session total once for ENERGY and once for the time-based dimension
  the session's last priced time-based period belongs to (TIME or PARKING_TIME; mod_cdrs
  "step_size"), using the last component used for it; the extra volume is billed at that
  component's price. Reservation time is rounded on its own (mod_tariffs reservation examples).
- VAT per component (`vat` absent = no VAT); `min_price` and `max_price` bound the excl. and incl.
  VAT totals independently.
- A credit CDR (`credit: true`) costs the negative of its periods.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chargelake.costing.restrictions import EXPIRED, RESERVED, PeriodState, find_component
from chargelake.costing.tariff import ZERO, PriceComponent, Tariff, TariffError, dec, timestamp

BUCKETS = ("FLAT", "ENERGY", "TIME", "PARKING_TIME", "RESERVATION_TIME")
STEP_UNITS = {"ENERGY": Decimal(1000), "TIME": Decimal(3600), "PARKING_TIME": Decimal(3600)}
STEP_UNITS["RESERVATION_TIME"] = STEP_UNITS["TIME"]
CHARGING_DIMENSIONS = ("ENERGY", "TIME", "PARKING_TIME")


class NotCostableError(Exception):
    """The CDR cannot be priced; the message is the reason shown in the mart."""


@dataclass
class DimensionCost:
    volume: Decimal = ZERO  # billed volume: kWh, hours, or 1 per flat fee
    excl_vat: Decimal = ZERO
    incl_vat: Decimal = ZERO
    last: PriceComponent | None = None

    def add(self, volume: Decimal, component: PriceComponent) -> None:
        excl, incl = component.cost(volume)
        self.volume += volume
        self.excl_vat += excl
        self.incl_vat += incl
        self.last = component

    def round_to_step(self, kind: str) -> None:
        component = self.last
        if component is None or self.volume <= 0:
            return
        step, unit = Decimal(max(component.step_size, 1)), STEP_UNITS[kind]
        billed = Decimal(math.ceil(self.volume * unit / step)) * step / unit
        if billed > self.volume:
            self.add(billed - self.volume, component)


@dataclass
class CdrCosting:
    """Our price of one CDR; `reason` is set exactly when it could not be priced."""

    dimensions: dict[str, DimensionCost] = field(default_factory=dict)
    total_excl_vat: Decimal | None = None
    total_incl_vat: Decimal | None = None
    bound: str | None = None  # "min_price" / "max_price" when a bound changed a total
    tariff_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def costed(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class Period:
    start: datetime
    dimensions: dict[str, Decimal]
    tariff_id: str | None

    @property
    def is_reservation(self) -> bool:
        return "RESERVATION_TIME" in self.dimensions

    def current(self, *names: str) -> Decimal | None:
        return next((self.dimensions[n] for n in names if n in self.dimensions), None)

    def power(self, extreme: str) -> Decimal | None:
        value = self.current(extreme, "POWER")
        if value is None and self.dimensions.get("TIME"):  # average power over the period
            value = self.dimensions.get("ENERGY", ZERO) / self.dimensions["TIME"]
        return value


def _periods(cdr: Mapping) -> list[Period]:
    out = []
    for n, p in enumerate(cdr.get("charging_periods") or ()):
        dims: dict[str, Decimal] = {}
        for d in p.get("dimensions") or ():
            if d.get("type") is None or d.get("volume") is None:
                raise NotCostableError(f"charging period {n + 1} has a dimension without type or volume")
            dims[d["type"]] = dims.get(d["type"], ZERO) + dec(d["volume"])
        out.append(Period(timestamp(p["start_date_time"]), dims, p.get("tariff_id")))
    if not out:
        raise NotCostableError("the CDR has no charging periods")
    return sorted(out, key=lambda p: p.start)


class _Pricer:
    def __init__(self, cdr: Mapping, tariffs: Sequence[Tariff], time_zone: str | None) -> None:
        self.tariffs = {t.id: t for t in tariffs}
        if not self.tariffs:
            raise NotCostableError("tariff not found: the CDR carries none and none is known for its location")
        self.periods = _periods(cdr)
        self.session_start = min(timestamp(cdr["start_date_time"]), self.periods[0].start)
        self.zone = self._zone(time_zone)
        self.dims: dict[str, DimensionCost] = {}
        self.missing: set[str] = set()
        self.used: list[str] = []
        self.notes: list[str] = [] if time_zone else ["site time zone unknown: no tariff needs it"]

    def _zone(self, name: str | None) -> ZoneInfo:
        if not name:
            needing = sorted(t.id for t in self.tariffs.values() if t.uses_local_time)
            if needing:
                raise NotCostableError(f"site time zone unknown and tariff {needing[0]} has local-time restrictions")
            return ZoneInfo("UTC")
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise NotCostableError(f"site time zone {name!r} is not an IANA time zone") from exc

    def tariff_for(self, period: Period) -> Tariff:
        if period.tariff_id is not None:
            tariff = self.tariffs.get(period.tariff_id)
            if tariff is None:
                raise NotCostableError(
                    f"tariff not found: {period.tariff_id} (charging period at {period.start:%Y-%m-%dT%H:%M:%SZ})"
                )
        elif len(self.tariffs) == 1:
            tariff = next(iter(self.tariffs.values()))
        else:
            active = [t for t in self.tariffs.values() if t.active_at(period.start)]
            if len(active) != 1:
                raise NotCostableError(
                    f"{len(active)} tariffs apply at {period.start:%Y-%m-%dT%H:%M:%SZ} and the period names none"
                )
            tariff = active[0]
        if tariff.id not in self.used:
            self.used.append(tariff.id)
        return tariff

    def state(self, period: Period, kwh_before: Decimal, reservation: str | None) -> PeriodState:
        return PeriodState(
            local=period.start.astimezone(self.zone),
            kwh_before=kwh_before,
            seconds_since_start=Decimal((period.start - self.session_start).total_seconds()),
            current_min_a=period.current("MIN_CURRENT", "CURRENT"),
            current_max_a=period.current("MAX_CURRENT", "CURRENT"),
            power_min_kw=period.power("MIN_POWER"),
            power_max_kw=period.power("MAX_POWER"),
            reservation=reservation,
        )

    def charge(self, bucket: str, tariff: Tariff, kind: str, state: PeriodState, volume: Decimal) -> bool:
        component = find_component(tariff, kind, state, self.missing)
        if component is None:
            return False
        self.dims.setdefault(bucket, DimensionCost()).add(volume, component)
        return True

    def run(self) -> None:
        expired = not any(p.dimensions.get(k) for p in self.periods for k in CHARGING_DIMENSIONS)
        kwh = ZERO
        last_time_kind: str | None = None
        flat_charged: set[str] = set()  # FLAT once for the charging part, once for a reservation
        for period in self.periods:
            tariff = self.tariff_for(period)
            mode = (EXPIRED if expired else RESERVED) if period.is_reservation else None
            state = self.state(period, kwh, mode)
            part = "charging" if mode is None else "reservation"
            if part not in flat_charged:
                flat_charged.add(part)
                self.charge("FLAT", tariff, "FLAT", state, Decimal(1))
            if mode is not None:
                self.charge("RESERVATION_TIME", tariff, "TIME", state, period.dimensions["RESERVATION_TIME"])
                continue
            for kind in CHARGING_DIMENSIONS:
                volume = period.dimensions.get(kind)
                if volume and self.charge(kind, tariff, kind, state, volume) and kind != "ENERGY":
                    last_time_kind = kind
            kwh += period.dimensions.get("ENERGY", ZERO)
        for kind in ("ENERGY", last_time_kind, "RESERVATION_TIME"):
            if kind in self.dims:
                self.dims[kind].round_to_step(kind)


def _bounded(total: Decimal, bound: Decimal | None, lower: bool) -> Decimal:
    if bound is None:
        return total
    return max(total, bound) if lower else min(total, bound)


def cost_cdr(cdr: Mapping, tariffs: Sequence[Tariff], time_zone: str | None) -> CdrCosting:
    """Price `cdr` (an OCPI CDR mapping: start_date_time, charging_periods, credit) under
    `tariffs` (the CDR's own, or those found for its location) in the site's `time_zone`."""
    try:
        pricer = _Pricer(cdr, tariffs, time_zone)
        pricer.run()
    except NotCostableError as exc:
        return CdrCosting(reason=str(exc))
    except (TariffError, KeyError, ValueError, ArithmeticError) as exc:
        return CdrCosting(reason=f"unreadable CDR or tariff: {exc}")
    excl = sum((d.excl_vat for d in pricer.dims.values()), ZERO)
    incl = sum((d.incl_vat for d in pricer.dims.values()), ZERO)
    bound = None
    main = pricer.tariffs[pricer.used[0]] if pricer.used else None
    if main is not None:
        for name, price, lower in (("min_price", main.min_price, True), ("max_price", main.max_price, False)):
            if price is None:
                continue
            new_excl = _bounded(excl, price.excl_vat, lower)
            new_incl = _bounded(incl, price.incl_vat, lower) if price.incl_vat is not None else None
            if new_incl is None and new_excl != excl:  # no incl. bound given: keep the session's VAT ratio
                new_incl = new_excl * incl / excl if excl else new_excl
            if new_excl != excl or (new_incl is not None and new_incl != incl):
                bound = name
                excl, incl = new_excl, (new_incl if new_incl is not None else incl)
    sign = Decimal(-1) if cdr.get("credit") else Decimal(1)
    if sign < 0:
        for d in pricer.dims.values():
            d.excl_vat, d.incl_vat = -d.excl_vat, -d.incl_vat
    notes = [
        *pricer.notes,
        *(f"restriction {m} could not be evaluated: the periods carry no value" for m in sorted(pricer.missing)),
    ]
    return CdrCosting(
        dimensions=pricer.dims,
        total_excl_vat=sign * excl,
        total_incl_vat=sign * incl,
        bound=bound,
        tariff_ids=tuple(pricer.used),
        notes=tuple(notes),
    )
