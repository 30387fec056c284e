"""When an EVSE cannot be used, or is not heard from, per EVSE and local day.

- Faulted: a fault with an OCPP 1.6 ChargePointErrorCode, 1-6 h;
- Unavailable: planned maintenance on a weekday morning;
- Offline: the charger loses its connection; it keeps charging but uploads its meter values late;
- Throttled (per site): load management caps every EVSE's power for an evening window.

Sessions never start during any of these except throttling, and never overlap a fault or maintenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from simulator.network import Evse, Network, Site
from simulator.rng import derived_rng

ERROR_CODES = (
    "ConnectorLockFailure",
    "EVCommunicationError",
    "GroundFailure",
    "HighTemperature",
    "InternalError",
    "LocalListConflict",
    "OtherError",
    "OverCurrentFailure",
    "PowerMeterFailure",
    "PowerSwitchFailure",
    "ReaderFailure",
    "ResetFailure",
    "UnderVoltage",
    "OverVoltage",
    "WeakSignal",
)  # OCPP 1.6 ChargePointErrorCode, less NoError


@dataclass(frozen=True)
class Outage:
    kind: str  # Faulted | Unavailable | Offline
    start: datetime
    end: datetime
    error_code: str | None = None


@dataclass(frozen=True)
class Throttle:
    start: datetime
    end: datetime
    factor: float  # share of each EVSE's rated power still allowed


def _local(day: date, hours: float, tz: ZoneInfo) -> datetime:
    return (datetime.combine(day, time(0), tz) + timedelta(hours=hours)).astimezone(ZoneInfo("UTC"))


def outages_for_evse_day(network: Network, site: Site, evse: Evse, day: date) -> list[Outage]:
    rng = derived_rng(network.seed, "outages", evse.uid, day.isoformat())
    tz = ZoneInfo(site.template.time_zone)
    out = []
    roll = rng.random()
    if roll < 0.04:
        start = rng.uniform(0, 20)
        out.append(
            Outage(
                "Faulted", _local(day, start, tz), _local(day, start + rng.uniform(1, 6), tz), rng.choice(ERROR_CODES)
            )
        )
    elif roll < 0.06 and day.weekday() < 5:
        out.append(Outage("Unavailable", _local(day, 9, tz), _local(day, 12, tz)))
    elif roll < 0.10:
        start = rng.uniform(0, 20)
        out.append(Outage("Offline", _local(day, start, tz), _local(day, start + rng.uniform(1, 8), tz)))
    out = [Outage(o.kind, o.start.replace(microsecond=0), o.end.replace(microsecond=0), o.error_code) for o in out]
    return [o for o in out if _in_window(network, o.start)]


def _in_window(network: Network, t: datetime) -> bool:
    """Simulated activity, outages included, happens between creation and the window's end."""
    return network.created_at <= t and (network.ends_at is None or t < network.ends_at)


def throttle_for_site_day(network: Network, site: Site, day: date) -> Throttle | None:
    rng = derived_rng(network.seed, "throttle", site.id, day.isoformat())
    if rng.random() >= 0.25:
        return None
    tz = ZoneInfo(site.template.time_zone)
    start = rng.choice((16.5, 17.0, 17.5, 18.0))
    throttle = Throttle(_local(day, start, tz), _local(day, start + rng.uniform(1, 3), tz), rng.choice((0.5, 0.6)))
    return throttle if _in_window(network, throttle.start) else None


def blocks_start(outages: list[Outage], start: datetime, end: datetime) -> bool:
    """A session may not start in any outage, nor overlap a fault or maintenance."""
    for o in outages:
        if o.start <= start < o.end:
            return True
        if o.kind != "Offline" and start < o.end and o.start < end:
            return True
    return False
