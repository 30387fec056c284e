"""The simulated network: determinism, shape, spec conformance of objects, costing consistency."""

import json
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from chargelake.contract import load_contract
from simulator import ocpi
from simulator.costing import bounded_total, price_periods
from simulator.server import SimConfig
from simulator.sessions import sessions_between
from simulator.timefmt import iso

CFG = SimConfig(seed=11, start=date(2026, 3, 27), end=date(2026, 3, 31))
NOW = CFG.effective_now

ENUMS = load_contract("ocpi").enums


@pytest.fixture(scope="module")
def network():
    return CFG.build()


def objects(network, module):
    return ocpi.objects(network, module, NOW, date(2026, 3, 26), date(2026, 3, 31))


def test_same_seed_same_bytes_other_seed_other_data(network):
    again = CFG.build()
    for module in ocpi.MODULES:
        assert json.dumps(objects(network, module)) == json.dumps(objects(again, module))
    other = SimConfig(seed=12, start=CFG.start, end=CFG.end).build()
    assert json.dumps(objects(other, "sessions")) != json.dumps(objects(network, "sessions"))


def test_network_shape(network):
    zones = {s.template.time_zone for s in network.sites}
    assert len(network.sites) >= 3 and len(zones) >= 2
    assert any(ZoneInfo(z).utcoffset(datetime(2026, 1, 1)).total_seconds() > 9 * 3600 for z in zones)  # southern
    evses = [e for _, e in network.evses()]
    assert any(e.is_dc for e in evses) and any(not e.is_dc for e in evses)
    assert {t.type for t in network.tokens} == {"RFID", "APP_USER"}
    assert len(network.tariffs) >= 2
    kinds = {c["type"] for t in network.tariffs.values() for el in t["elements"] for c in el["price_components"]}
    assert {"ENERGY", "FLAT", "PARKING_TIME", "TIME"} <= kinds
    assert any("start_time" in (el.get("restrictions") or {}) for t in network.tariffs.values() for el in t["elements"])


def test_served_objects_follow_the_spec(network):
    for s in objects(network, "sessions"):
        assert (
            s["status"] in ENUMS["mod_sessions_sessionstatus_enum"]
            and s["auth_method"] in ENUMS["mod_cdrs_authmethod_enum"]
        )
        assert s["cdr_token"]["type"] in ENUMS["mod_tokens_tokentype_enum"] and s["kwh"] >= 0
        assert s["last_updated"].endswith("Z") and s["start_date_time"] <= s["last_updated"]
        if s["status"] == "COMPLETED":
            assert s["end_date_time"] >= s["start_date_time"]
    for c in objects(network, "cdrs"):
        for field in (
            "id",
            "start_date_time",
            "end_date_time",
            "cdr_token",
            "auth_method",
            "cdr_location",
            "currency",
            "charging_periods",
            "total_cost",
            "total_energy",
            "total_time",
            "last_updated",
        ):
            assert field in c, field
        assert c["cdr_location"]["connector_power_type"] in ENUMS["mod_locations_powertype_enum"]
    for loc in objects(network, "locations"):
        assert loc["time_zone"] and loc["evses"] and all(e["connectors"] for e in loc["evses"])


def test_cdr_totals_follow_their_tariff(network):
    cdrs = objects(network, "cdrs")
    assert len(cdrs) > 20
    tz = {loc["id"]: loc["time_zone"] for loc in objects(network, "locations")}
    for c in (c for c in cdrs if not c["credit"]):
        tariff = c["tariffs"][0]
        excl, incl = bounded_total(tariff, price_periods(tariff, c["charging_periods"], tz[c["cdr_location"]["id"]]))
        assert c["total_cost"] == {"excl_vat": round(excl, 2), "incl_vat": round(incl, 2)}
        energy = sum(d["volume"] for p in c["charging_periods"] for d in p["dimensions"] if d["type"] == "ENERGY")
        assert c["total_energy"] == pytest.approx(energy, abs=1e-3)


def test_sessions_on_one_evse_never_overlap(network):
    sims = sessions_between(network, date(2026, 3, 26), date(2026, 3, 31))
    by_evse = {}
    for s in sims:
        by_evse.setdefault(s.evse.uid, []).append(s)
    for items in by_evse.values():
        items.sort(key=lambda s: s.start)
        for a, b in pairwise(items):
            assert a.end <= b.start


ARRIVAL_HOURS = {"workplace": (7, 15), "depot": (17, 21), "public_dc": (6, 24)}


def test_arrivals_follow_local_time_across_the_dst_change(network):
    # 2026-03-29: Europe moves to summer time (North America did on 03-08, Sydney leaves it on 04-05).
    sims = sessions_between(network, date(2026, 3, 28), date(2026, 3, 30))
    on_dst_day = [
        s
        for s in sims
        if s.site.template.time_zone.startswith("Europe/")
        and s.start.astimezone(ZoneInfo(s.site.template.time_zone)).date() == date(2026, 3, 29)
    ]
    assert on_dst_day
    for s in sims:
        local = s.start.astimezone(ZoneInfo(s.site.template.time_zone))
        lo, hi = ARRIVAL_HOURS[s.site.template.kind]
        assert lo <= local.hour + local.minute / 60 < hi, (s.id, local)


def test_corrected_cdrs_are_credited_and_replaced(network):
    cdrs = {c["id"]: c for c in objects(network, "cdrs")}
    credit_cdrs = [c for c in cdrs.values() if c["credit"]]
    assert credit_cdrs, "the window should contain at least one correction"
    for credit in credit_cdrs:
        original = cdrs[credit["credit_reference_id"]]
        replacement = cdrs[original["id"] + "-R1"]
        assert credit["total_cost"] == {k: -v for k, v in original["total_cost"].items()}
        assert credit["total_energy"] == original["total_energy"] > 0
        assert replacement["total_energy"] < original["total_energy"]
        assert credit["last_updated"] == replacement["last_updated"] > original["last_updated"]
        assert not replacement["credit"]


def test_sessions_change_while_time_passes(network):
    sims = sessions_between(network, date(2026, 3, 28), date(2026, 3, 28))
    s = next(x for x in sims if (x.end - x.start) > timedelta(hours=2))
    during = ocpi.session(s, s.start + timedelta(minutes=50))
    after = ocpi.session(s, s.end)
    assert during["status"] == "ACTIVE" and "end_date_time" not in during
    assert during["last_updated"] == iso(s.start + timedelta(minutes=45))
    assert 0 < during["kwh"] < after["kwh"] and after["status"] == "COMPLETED"
    assert ocpi.session(s, s.start - timedelta(seconds=1)) is None
    assert ocpi.cdrs(s, s.end) == []


def test_dc_power_tapers_above_80_percent_soc(network):
    sims = [s for s in sessions_between(network, date(2026, 3, 27), date(2026, 3, 30)) if s.evse.is_dc]
    tapered = [s for s in sims if s.soc_at(s.charge_end) > 0.85]
    assert tapered
    for s in tapered:
        first_kw = s.curve.segments[0].kw
        late = [seg.kw for seg in s.curve.segments if s.soc_at(seg.start) > 0.82]
        assert late and max(late) < first_kw


def test_throttling_caps_power_and_outages_block_sessions(network):
    from simulator.availability import outages_for_evse_day, throttle_for_site_day

    days = [date(2026, 3, 27) + timedelta(days=i) for i in range(4)]
    throttles = {
        (site.id, d): t for site in network.sites for d in days if (t := throttle_for_site_day(network, site, d))
    }
    assert throttles
    outages = [
        (site, evse, o)
        for site, evse in network.evses()
        for d in days
        for o in outages_for_evse_day(network, site, evse, d)
    ]
    assert {o.kind for *_, o in outages} >= {"Faulted", "Offline"}
    sims = sessions_between(network, days[0], days[-1])
    for s in sims:
        local_day = s.start.astimezone(ZoneInfo(s.site.template.time_zone)).date()
        t = throttles.get((s.site.id, local_day))
        if t:
            for seg in s.curve.segments:
                if t.start <= seg.start < t.end:
                    assert seg.kw <= s.evse.power_kw * t.factor + 1e-6
        for _site, evse, o in outages:
            if evse.uid == s.evse.uid:
                assert not (o.start <= s.start < o.end)
                if o.kind != "Offline":
                    assert not (s.start < o.end and o.start < s.end)


def test_tokens_map_to_cost_centres_and_vehicles_that_bound_sessions(network):
    from simulator.network import FLEET_GROUPS

    assert {t.group_id for t in network.tokens} == {"FLEET-OPS", "FLEET-SALES", "STAFF", "VISITORS"}
    assert len({t.vehicle.id for t in network.tokens}) == len(network.tokens)
    for s in sessions_between(network, date(2026, 3, 27), date(2026, 3, 30)):
        v = s.token.vehicle
        if s.site.template.kind == "depot":
            assert s.token.group_id in FLEET_GROUPS
        assert s.battery_kwh == v.battery_kwh and s.kwh <= v.battery_kwh
        assert max(seg.kw for seg in s.curve.segments) <= (v.dc_kw if s.evse.is_dc else v.ac_kw) + 1e-9
