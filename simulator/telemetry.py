"""OCPP-shaped telemetry: MeterValues messages per transaction, and status/alarm events per EVSE.

Chargers speak OCPP 1.6 (MeterValues.req: string values, Wh/W, the energy register as the default
measurand, the integer transaction id the central system assigned) or 2.0.1 (TransactionEventRequest:
numbers with `unitOfMeasure` and a multiplier, a string transaction id). A few 1.6 firmwares report kWh under a "Wh"
unit. Values sampled while a charger is offline are received when it reconnects (late data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from simulator.availability import outages_for_evse_day, throttle_for_site_day
from simulator.network import Evse, Network, Site
from simulator.registers import Registers
from simulator.rng import derived_rng
from simulator.sessions import SimSession, sessions_for_evse_day
from simulator.timefmt import iso

AC_VOLTS = 230.0
DC_VOLTS = 400.0


@dataclass(frozen=True)
class ChargerProfile:
    ocpp_version: str  # "1.6" | "2.0.1"
    kwh_as_wh: bool  # firmware bug: kWh values under a "Wh" unit (1.6 only)


def charger_profile(network: Network, evse: Evse) -> ChargerProfile:
    rng = derived_rng(network.seed, "firmware", evse.uid)
    version = "2.0.1" if rng.random() < 0.4 else "1.6"
    return ChargerProfile(version, version == "1.6" and rng.random() < 0.08)


def charge_point_id(evse: Evse) -> str:
    return f"CP-{evse.uid}"


def _sample_times(s: SimSession, interval: timedelta) -> list[tuple[datetime, str]]:
    times = [(s.start, "Transaction.Begin")]
    t = datetime.fromtimestamp(
        (s.start.timestamp() // interval.total_seconds() + 1) * interval.total_seconds(), tz=s.start.tzinfo
    )
    while t < s.end:
        times.append((t, "Sample.Periodic"))
        t += interval
    times.append((s.end, "Transaction.End"))
    return times


def _values_16(wh: float, kw: float, s: SimSession, t: datetime, ctx: str, profile: ChargerProfile) -> list[dict]:
    energy = wh / 1000 if profile.kwh_as_wh else wh
    out = [
        {"value": f"{energy:.1f}" if not profile.kwh_as_wh else f"{energy:.4f}", "context": ctx, "unit": "Wh"},
        {"value": f"{kw * 1000:.0f}", "context": ctx, "measurand": "Power.Active.Import", "unit": "W"},
    ]
    if s.evse.is_dc:
        out += [
            {"value": f"{kw * 1000 / DC_VOLTS:.1f}", "context": ctx, "measurand": "Current.Import", "unit": "A"},
            {"value": f"{DC_VOLTS:.1f}", "context": ctx, "measurand": "Voltage", "unit": "V"},
            {"value": f"{s.soc_at(t) * 100:.0f}", "context": ctx, "measurand": "SoC", "unit": "Percent"},
        ]
    else:
        amps = kw * 1000 / (3 * AC_VOLTS)
        out += [
            {"value": f"{amps:.1f}", "context": ctx, "measurand": "Current.Import", "phase": p, "unit": "A"}
            for p in ("L1", "L2", "L3")
        ]
        out.append({"value": f"{AC_VOLTS:.1f}", "context": ctx, "measurand": "Voltage", "phase": "L1-N", "unit": "V"})
    return out


def _values_201(wh: float, kw: float, s: SimSession, t: datetime, ctx: str) -> list[dict]:
    def v(value: float, measurand: str, unit: str, multiplier: int = 0, phase: str | None = None) -> dict:
        item = {
            "value": round(value, 4),
            "context": ctx,
            "measurand": measurand,
            "unitOfMeasure": {"unit": unit, "multiplier": multiplier},
        }
        if phase:
            item["phase"] = phase
        return item

    out = [v(wh / 1000, "Energy.Active.Import.Register", "kWh"), v(kw, "Power.Active.Import", "W", 3)]
    if s.evse.is_dc:
        out += [
            v(kw * 1000 / DC_VOLTS, "Current.Import", "A"),
            v(DC_VOLTS, "Voltage", "V"),
            v(s.soc_at(t) * 100, "SoC", "Percent"),
        ]
    else:
        out += [v(kw * 1000 / (3 * AC_VOLTS), "Current.Import", "A", phase=p) for p in ("L1", "L2", "L3")]
        out.append(v(AC_VOLTS, "Voltage", "V", phase="L1-N"))
    return out


def _received(t: datetime, offline: list, rng) -> datetime:
    for o in offline:
        if o.start <= t < o.end:
            return o.end + timedelta(seconds=rng.randint(60, 300))
    return t + timedelta(seconds=rng.randint(1, 30))


def meter_messages(
    network: Network, registers: Registers, site: Site, evse: Evse, day: date, interval: timedelta
) -> list[dict]:
    """Meter-value messages (1.6 MeterValues, 2.0.1 TransactionEvent) of the sessions that start on
    local `day` at this EVSE."""
    profile = charger_profile(network, evse)
    offline = [
        o
        for d in (day, day + timedelta(days=1))
        for o in outages_for_evse_day(network, site, evse, d)
        if o.kind == "Offline"
    ]
    out = []
    for s in sessions_for_evse_day(network, site, evse, day):
        rng = derived_rng(network.seed, "meter", s.id)
        base = registers.at_session_start(site, evse, s)
        tx = ocpp_transaction_id(network, profile, s.id)
        times = _sample_times(s, interval)
        for seq, (t, ctx) in enumerate(times):
            wh = base + s.curve.kwh_between(s.start, t) * 1000
            kw = s.curve.kw_at(t) if ctx != "Transaction.End" else 0.0
            if profile.ocpp_version == "1.6":
                action = "MeterValues"
                message = {
                    "connectorId": int(s.connector_id),
                    "transactionId": tx,
                    "meterValue": [{"timestamp": iso(t), "sampledValue": _values_16(wh, kw, s, t, ctx, profile)}],
                }
            else:
                action = "TransactionEvent"
                message = _transaction_event(evse, s, tx, seq, len(times), t, _values_201(wh, kw, s, t, ctx))
            out.append(
                {
                    "id": f"{s.id}-{seq:04d}",
                    "charge_point_id": charge_point_id(evse),
                    "ocpp_version": profile.ocpp_version,
                    "action": action,
                    "connector_id": int(s.connector_id),
                    "transaction_id": tx,
                    "timestamp": iso(t),
                    "received_at": iso(_received(t, offline, rng)),
                    "message": message,
                }
            )
    return out


def ocpp_transaction_id(network: Network, profile: ChargerProfile, session_id: str) -> int | str:
    """The transaction id as each version types it: OCPP 1.6's is the integer the central system
    assigns in StartTransaction.conf, 2.0.1's the string the charger makes up (here the session id,
    as CPMSs that reuse one id for both do)."""
    if profile.ocpp_version == "1.6":
        return derived_rng(network.seed, "ocpp-1.6-transaction", session_id).randrange(1, 2**31)
    return session_id


def _transaction_event(evse: Evse, s: SimSession, tx: str, seq: int, count: int, t: datetime, values: list) -> dict:
    """OCPP 2.0.1 TransactionEventRequest: how a 2.0.1 charger reports a transaction's meter values."""
    event, trigger = ("Updated", "MeterValuePeriodic")
    if seq == 0:
        event, trigger = ("Started", "Authorized")
    elif seq == count - 1:
        event, trigger = ("Ended", "StopAuthorized")
    info: dict = {"transactionId": tx, "chargingState": "Charging" if event != "Ended" else "Idle"}
    if event == "Ended":
        info["stoppedReason"] = "Local"
    message = {
        "eventType": event,
        "timestamp": iso(t),
        "triggerReason": trigger,
        "seqNo": seq,
        "transactionInfo": info,
        "evse": {"id": int(evse.uid.rsplit("E", 1)[1]), "connectorId": int(s.connector_id)},
        "meterValue": [{"timestamp": iso(t), "sampledValue": values}],
    }
    if event == "Started":  # the card that authorised it (IdTokenEnumType)
        message["idToken"] = {"idToken": s.token.uid, "type": "ISO14443" if s.token.type == "RFID" else "Central"}
    return message


def _event(evse: Evse, profile: ChargerProfile, t: datetime, kind: str, connector: int, **fields) -> dict:
    return {
        "id": f"{evse.uid}-{iso(t)}-{kind}-{fields.get('status') or ''}",
        "charge_point_id": charge_point_id(evse),
        "ocpp_version": profile.ocpp_version,
        "connector_id": connector,
        "timestamp": iso(t),
        "event_type": kind,
        "status": None,
        "previous_status": None,
        "error_code": "NoError",
        "severity": "info",
        "info": None,
        **fields,
    }


def status_events(network: Network, site: Site, evse: Evse, day: date) -> list[dict]:
    """StatusNotification transitions around sessions and outages, connection events, load limits."""
    profile = charger_profile(network, evse)
    rng = derived_rng(network.seed, "status", evse.uid, day.isoformat())
    out: list[dict] = []

    def status(t, connector, new, old, **kw):
        out.append(_event(evse, profile, t, "StatusNotification", connector, status=new, previous_status=old, **kw))

    for s in sessions_for_evse_day(network, site, evse, day):
        c = int(s.connector_id)
        status(s.start, c, "Preparing", "Available")
        status(s.start + timedelta(seconds=20), c, "Charging", "Preparing")
        last = "Charging"
        if s.end - s.charge_end > timedelta(seconds=30):
            status(s.charge_end, c, "SuspendedEV", "Charging")
            last = "SuspendedEV"
        status(s.end, c, "Finishing", last)
        status(s.end + timedelta(seconds=30), c, "Available", "Finishing")
    for o in outages_for_evse_day(network, site, evse, day):
        if o.kind == "Offline":
            out.append(_event(evse, profile, o.start, "ConnectionLost", 0, severity="warning"))
            out.append(_event(evse, profile, o.end, "ConnectionRestored", 0))
        else:
            severity = "critical" if o.kind == "Faulted" else "info"
            status(
                o.start,
                0,
                o.kind,
                "Available",
                error_code=o.error_code or "NoError",
                severity=severity,
                info="planned maintenance" if o.kind == "Unavailable" else None,
            )
            status(o.end, 0, "Available", o.kind)
    throttle = throttle_for_site_day(network, site, day)
    if throttle:
        limit = f"site load management: {throttle.factor:.0%} of rated power"
        out.append(_event(evse, profile, throttle.start, "ChargingLimitSet", 0, severity="warning", info=limit))
        out.append(_event(evse, profile, throttle.end, "ChargingLimitCleared", 0))
    offline = [o for o in outages_for_evse_day(network, site, evse, day) if o.kind == "Offline"]
    for e in out:
        received = _received(datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00")), offline, rng)
        e["received_at"] = iso(received) if e["event_type"] != "ConnectionLost" else e["timestamp"]
    return out
