"""The telemetry REST API: `/telemetry/v1/{charge-points,meter-values,alarms,openapi.json}`.

Lists are ordered by (timestamp, id) and paged with an opaque keyset cursor, so late-arriving values
never shift pages a client already has. An item is served only once its `received_at` has passed.
Items are JSON-encoded once and cached: serving is a byte join.
"""

from __future__ import annotations

import base64
import bisect
import json
import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from pathlib import Path

import orjson

from simulator.network import Network
from simulator.registers import Registers
from simulator.telemetry import charge_point_id, charger_profile, meter_messages, status_events
from simulator.timefmt import iso

MAX_WINDOW = timedelta(days=7)
MAX_LIMIT = 10_000
CACHE_BYTES = 256 * 1024 * 1024  # encoded EVSE-days kept; memory stays flat however long the window
OPENAPI = Path(__file__).with_name("telemetry_openapi.json")


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def encode_cursor(key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode("|".join(key).encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        ts, item_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return ts, item_id
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, f"invalid cursor {cursor!r}") from None


class TelemetryStore:
    def __init__(self, network: Network, interval: timedelta) -> None:
        self.network = network
        self.interval = interval
        self.registers = Registers(network)
        self._days: OrderedDict = OrderedDict()
        self._day_bytes = 0
        self._lists: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def charge_points(self) -> list[dict]:
        return [
            {
                "id": charge_point_id(e),
                "evse_uid": e.uid,
                "evse_id": e.evse_id,
                "location_id": site.id,
                "ocpp_version": charger_profile(self.network, e).ocpp_version,
                "power_kw": e.power_kw,
                "is_dc": e.is_dc,
                "grid_zone": site.template.grid_zone,
                "legal_entity": site.template.legal_entity,
                "site_grid_capacity_kw": site.grid_capacity_kw,
            }
            for site, e in self.network.evses()
        ]

    def _evse_day(self, kind: str, si: int, ei: int, day) -> list[tuple[str, str, str, bytes]]:
        key = (kind, si, ei, day)
        with self._lock:
            if key in self._days:
                return self._days[key]
        site = self.network.sites[si]
        evse = site.evses[ei]
        if kind == "meter-values":
            items = meter_messages(self.network, self.registers, site, evse, day, self.interval)
        else:
            items = status_events(self.network, site, evse, day)
        # orjson hands back its 4 KiB working buffer; an exact-size copy keeps the cache bound honest
        rows = [(i["timestamp"], i["id"], i["received_at"], bytes(memoryview(orjson.dumps(i)))) for i in items]
        size = sum(len(r[3]) + 200 for r in rows)  # encoded item plus tuple and key overhead
        with self._lock:
            if key not in self._days:
                self._days[key] = rows
                self._day_bytes += size
            while self._day_bytes > CACHE_BYTES and len(self._days) > 1:
                _, old = self._days.popitem(last=False)
                self._day_bytes -= sum(len(r[3]) + 200 for r in old)
        return rows

    def listing(self, kind: str, start: datetime, end: datetime, now: datetime, first_day, last_day) -> tuple:
        """(rows, keys) of a window as of `now`, sorted by (timestamp, id); keys serve cursor lookups."""
        key = (kind, start, end, now)
        with self._lock:
            if key in self._lists:
                return self._lists[key]
        lo, hi, seen = iso(start), iso(end), iso(now)
        rows = []
        day = max(first_day, (start - timedelta(days=2)).date())
        while day <= min(last_day, end.date()):
            for si, site in enumerate(self.network.sites):
                for ei in range(len(site.evses)):
                    rows.extend(r for r in self._evse_day(kind, si, ei, day) if lo <= r[0] < hi and r[2] <= seen)
            day += timedelta(days=1)
        rows.sort(key=lambda r: (r[0], r[1]))
        listing = (rows, [(r[0], r[1]) for r in rows])
        with self._lock:
            self._lists[key] = listing
            while len(self._lists) > 8:
                self._lists.popitem(last=False)
        return listing

    def page(self, kind: str, params: dict[str, str], now: datetime, first_day, last_day) -> bytes:
        from simulator.timefmt import parse_iso

        try:
            start, end = parse_iso(params["from"]), parse_iso(params["to"])
            limit = min(int(params.get("limit") or 1000), MAX_LIMIT)
        except KeyError as exc:
            raise ApiError(400, f"missing parameter {exc.args[0]!r} (from and to are required)") from None
        except ValueError as exc:
            raise ApiError(400, f"invalid parameter: {exc}") from None
        if end <= start or end - start > MAX_WINDOW:
            raise ApiError(400, f"window must be positive and at most {MAX_WINDOW.days} days")
        rows, keys = self.listing(kind, start, end, now, first_day, last_day)
        begin = bisect.bisect_right(keys, decode_cursor(params["cursor"])) if params.get("cursor") else 0
        chunk = rows[begin : begin + max(1, limit)]
        nxt = encode_cursor((chunk[-1][0], chunk[-1][1])) if begin + len(chunk) < len(rows) else None
        return b'{"items":[' + b",".join(r[3] for r in chunk) + b'],"next_cursor":' + json.dumps(nxt).encode() + b"}"
