"""OCPI 2.2.1 objects of the simulated network as they stand at a given 'now'.

A session is ACTIVE (last_updated at its latest 15-minute meter update) until it ends, then
COMPLETED; its CDR appears five minutes after the end. Locations, tariffs and tokens exist from
the network's creation on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from simulator.network import COUNTRY_CODE, PARTY_ID, Network, Site, SiteTemplate
from simulator.sessions import SimSession, over_reported, session_cost, sessions_between
from simulator.signing import Signer, signer_for
from simulator.timefmt import iso

CDR_DELAY = timedelta(minutes=5)
METER_INTERVAL = timedelta(minutes=15)
MODULES = ("locations", "sessions", "cdrs", "tariffs", "tokens")


def _place(t: SiteTemplate) -> dict:
    """Name, address and coordinates as both Location and CdrLocation carry them."""
    return {
        "name": t.name,
        "address": t.address,
        "city": t.city,
        "postal_code": t.postal_code,
        "country": t.country,
        "coordinates": {"latitude": f"{t.latitude:.6f}", "longitude": f"{t.longitude:.6f}"},
    }


def location(network: Network, site: Site) -> dict:
    t = site.template
    updated = iso(network.created_at)
    return {
        "country_code": COUNTRY_CODE,
        "party_id": PARTY_ID,
        "id": site.id,
        "publish": True,
        **_place(t),
        "parking_type": "PARKING_LOT",
        "evses": [
            {
                "uid": e.uid,
                "evse_id": e.evse_id,
                "status": "AVAILABLE",
                "capabilities": ["RFID_READER", "REMOTE_START_STOP_CAPABLE"],
                "connectors": [
                    {
                        "id": c.id,
                        "standard": c.standard,
                        "format": c.format,
                        "power_type": c.power_type,
                        "max_voltage": c.max_voltage,
                        "max_amperage": c.max_amperage,
                        "max_electric_power": c.max_electric_power,
                        "tariff_ids": [e.tariff_id],
                        "last_updated": updated,
                    }
                    for c in e.connectors
                ],
                "last_updated": updated,
            }
            for e in site.evses
        ],
        "operator": {"name": "ChargeLake Simulated CPO"},
        "time_zone": t.time_zone,
        "last_updated": updated,
    }


def token(network: Network, index: int) -> dict:
    tk = network.tokens[index]
    return {
        "country_code": COUNTRY_CODE,
        "party_id": PARTY_ID,
        "uid": tk.uid,
        "type": tk.type,
        "contract_id": tk.contract_id,
        "visual_number": tk.visual_number,
        "issuer": tk.issuer,
        "group_id": tk.group_id,
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": iso(network.created_at),
    }


def _cdr_token(s: SimSession) -> dict:
    return {
        "country_code": COUNTRY_CODE,
        "party_id": PARTY_ID,
        "uid": s.token.uid,
        "type": s.token.type,
        "contract_id": s.token.contract_id,
    }


def _closed_periods(periods: tuple[dict, ...], now: datetime) -> list[dict]:
    """Periods of an ongoing session that ended before `now` (the last one is still growing)."""
    starts = [p["start_date_time"] for p in periods[1:]]
    return [p for p, nxt in zip(periods, starts, strict=False) if nxt <= iso(now)]


def session(s: SimSession, now: datetime) -> dict | None:
    if now < s.start:
        return None
    done = now >= s.end
    periods = list(s.periods) if done else _closed_periods(s.periods, now)
    body = {
        "country_code": COUNTRY_CODE,
        "party_id": PARTY_ID,
        "id": s.id,
        "start_date_time": iso(s.start),
        "kwh": s.kwh if done else round(s.curve.kwh_between(s.start, now), 3),
        "cdr_token": _cdr_token(s),
        "auth_method": "AUTH_REQUEST" if s.token.type == "APP_USER" else "WHITELIST",
        "location_id": s.site.id,
        "evse_uid": s.evse.uid,
        "connector_id": s.connector_id,
        "currency": s.site.template.currency,
        "charging_periods": periods,
        "status": "COMPLETED" if done else "ACTIVE",
    }
    if done:
        body["end_date_time"] = iso(s.end)
        body["total_cost"] = session_cost(s)["total_cost"]
        body["last_updated"] = iso(s.end)
    else:
        steps = (now - s.start) // METER_INTERVAL
        body["last_updated"] = iso(s.start + steps * METER_INTERVAL)
    return body


CORRECTION_DELAY = timedelta(days=1)


def _cdr_body(
    s: SimSession, cdr_id: str, periods: tuple[dict, ...], updated: datetime, signer: Signer | None = None
) -> dict:
    t = s.site.template
    connector = next(c for c in s.evse.connectors if c.id == s.connector_id)
    dims = [d for p in periods for d in p["dimensions"]]
    return {
        "country_code": COUNTRY_CODE,
        "party_id": PARTY_ID,
        "id": cdr_id,
        "start_date_time": iso(s.start),
        "end_date_time": iso(s.end),
        "session_id": s.id,
        "cdr_token": _cdr_token(s),
        "auth_method": "AUTH_REQUEST" if s.token.type == "APP_USER" else "WHITELIST",
        "cdr_location": {
            "id": s.site.id,
            **_place(t),
            "evse_uid": s.evse.uid,
            "evse_id": s.evse.evse_id,
            "connector_id": s.connector_id,
            "connector_standard": connector.standard,
            "connector_format": connector.format,
            "connector_power_type": connector.power_type,
        },
        "currency": t.currency,
        "tariffs": [s.tariff],
        "charging_periods": list(periods),
        **session_cost(s, periods),
        "total_energy": round(sum(d["volume"] for d in dims if d["type"] == "ENERGY"), 3),
        "total_time": round(sum(d["volume"] for d in dims if d["type"] == "TIME"), 6),
        "total_parking_time": round(sum(d["volume"] for d in dims if d["type"] == "PARKING_TIME"), 6),
        "credit": False,
        "last_updated": iso(updated),
        # the meter signs what it measured (the session's true energy), whatever the CDR bills
        **({"signed_data": signed} if signer and (signed := signer.signed_data(s, s.kwh)) else {}),
    }


def cdrs(s: SimSession, now: datetime, signer: Signer | None = None) -> list[dict]:
    """The CDRs of a session as of `now`: the CDR five minutes after the end; for a corrected
    session, a day later also a credit CDR (negated total_cost, mod_cdrs "Credit CDRs") and a
    replacement CDR with the true figures."""
    if now < s.end + CDR_DELAY:
        return []
    first_periods = over_reported(s.periods) if s.corrected else s.periods
    first = _cdr_body(s, f"CDR-{s.id}", first_periods, s.end + CDR_DELAY, signer)
    if not s.corrected or now < s.end + CORRECTION_DELAY:
        return [first]
    at = s.end + CORRECTION_DELAY
    credit = {
        **first,
        "id": f"{first['id']}-C",
        "credit": True,
        "credit_reference_id": first["id"],
        "last_updated": iso(at),
    }
    for key in [k for k in first if k.startswith("total_") and k.endswith("cost")]:
        credit[key] = {k: -v for k, v in first[key].items()}
    replacement = _cdr_body(s, f"CDR-{s.id}-R1", s.periods, at, signer)
    return [first, credit, replacement]


def objects(network: Network, module: str, now: datetime, first_day, last_day) -> list[dict]:
    """Every object of a module as of `now`, ordered by (last_updated, id) for stable paging.

    `first_day`/`last_day` bound the local days for which sessions are generated.
    """
    if module == "locations":
        items = [location(network, site) for site in network.sites]
    elif module == "tariffs":
        items = list(network.tariffs.values())
    elif module == "tokens":
        items = [token(network, i) for i in range(len(network.tokens))]
    elif module in ("sessions", "cdrs"):
        sims = sessions_between(network, first_day, last_day)
        if module == "sessions":
            items = [o for s in sims if (o := session(s, now))]
        else:
            signer = signer_for(network)
            items = [c for s in sims for c in cdrs(s, now, signer)]
    else:
        raise KeyError(module)
    key = "uid" if module == "tokens" else "id"
    items = [o for o in items if o["last_updated"] <= iso(now)]
    return sorted(items, key=lambda o: (o["last_updated"], o[key]))
