"""The readings (`RD`) of an OCMF payload, with the omitted fields filled in: a reading may leave
out any field equal to the previous reading's. Values keep their text (`RV` as sent) and are also
normalised to kWh where the unit is an energy unit. A reading is usable for billing only when the
meter state `ST` is `G` (OK) and no error flag (`EF`) is set, whatever its signature."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from chargelake.ocmf.record import MalformedRecordError

KWH_PER_UNIT = {"kwh": Decimal(1), "wh": Decimal("0.001"), "mwh": Decimal(1000)}
# `YYYY-MM-DDThh:mm:ss,fff±hhmm S`: the last letter is the clock state.
TIME = re.compile(r"^(?P<at>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[,.]\d+)?[+-]\d{2}:?\d{2})(?:\s+(?P<clock>[A-Z]))?$")
CLOCK_STATES = {"U": "unknown", "I": "informative", "S": "synchronised", "R": "relative"}


@dataclass(frozen=True)
class Reading:
    index: int
    time_text: str
    measured_at: datetime
    clock_state: str | None
    reason: (
        str | None
    )  # TX: B begin, C charging, X exception, E end, L limit, R remote, A abort, P power; None = fiscal
    value_text: str
    unit: str | None
    value_kwh: Decimal | None  # None when the unit is not an energy unit
    obis_code: str | None
    meter_state: str | None
    error_flags: str

    @property
    def usable(self) -> bool:
        return self.meter_state == "G" and not self.error_flags


def _time(text: str, index: int) -> tuple[datetime, str | None]:
    match = TIME.match(text.strip())
    if not match:
        raise MalformedRecordError(f"reading {index}: time {text!r} is not `YYYY-MM-DDThh:mm:ss,fff+hhmm S`")
    at = match.group("at").replace(",", ".")
    at = re.sub(r"([+-]\d{2}):?(\d{2})$", r"\1:\2", at)
    return datetime.fromisoformat(at), CLOCK_STATES.get(match.group("clock") or "", match.group("clock"))


def readings(payload: dict) -> list[Reading]:
    out: list[Reading] = []
    previous: dict = {}
    for index, raw in enumerate(payload.get("RD") or []):
        if not isinstance(raw, dict):
            raise MalformedRecordError(f"reading {index} is not an object")
        current = {**previous, **raw}
        previous = current
        if "TM" not in current or "RV" not in current:
            raise MalformedRecordError(f"reading {index} has no time (TM) or value (RV)")
        measured_at, clock = _time(str(current["TM"]), index)
        value_text = str(current["RV"])
        unit = current.get("RU")
        factor = KWH_PER_UNIT.get(str(unit).lower()) if unit else None
        try:
            value_kwh = Decimal(value_text) * factor if factor is not None else None
        except InvalidOperation:
            raise MalformedRecordError(f"reading {index}: value {value_text!r} is not a number") from None
        flags = current.get("EF") or ""
        out.append(
            Reading(
                index=index,
                time_text=str(current["TM"]),
                measured_at=measured_at,
                clock_state=clock,
                reason=current.get("TX"),
                value_text=value_text,
                unit=unit,
                value_kwh=value_kwh,
                obis_code=current.get("RI"),
                meter_state=current.get("ST"),
                error_flags=flags if isinstance(flags, str) else ",".join(map(str, flags)),
            )
        )
    return out


def page_number(payload: dict) -> int | None:
    """The transaction page counter of `PG` (`T<n>`), or None for a fiscal page (`F<n>`) or none."""
    match = re.fullmatch(r"T(\d+)", str(payload.get("PG") or ""))
    return int(match.group(1)) if match else None
