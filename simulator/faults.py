"""Injected failures, so tests can make the simulator behave like a CPMS on a bad day.

A rule names a module, a kind and how many times it fires (optionally only at one page offset):
`http_500`, `http_503`, `http_429` (with Retry-After), `envelope_error` (HTTP 200 with OCPI
status_code 3000), `negative_energy` and `missing_id` (corrupt the first record of a page),
`unknown_enum` (a status/auth_method outside the spec), `naive_timestamp` (last_updated without an
offset), `wh_in_kwh` (energy in Wh in a kWh field), `duplicate` (the page repeats the last record
of the previous page), `slow` (answer after `delay_ms`), `truncated_json` (the body is cut in half),
`foreign_link` (the Link header points to another host), `advance_clock` (move the simulator's clock
`minutes` ahead before serving the page: objects appear or change while a client crawls, and
X-Total-Count grows).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field

HTTP_KINDS = {"http_500", "http_503", "http_429", "envelope_error"}
RECORD_KINDS = {"negative_energy", "missing_id", "unknown_enum", "naive_timestamp", "wh_in_kwh", "duplicate"}
RESPONSE_KINDS = {"slow", "truncated_json", "foreign_link", "advance_clock"}
KINDS = HTTP_KINDS | RECORD_KINDS | RESPONSE_KINDS


@dataclass
class FaultRule:
    module: str
    kind: str
    times: int = 1
    offset: int | None = None
    minutes: int = 60
    delay_ms: int = 2000

    def corrupt(self, page: list[dict]) -> list[dict]:
        if not page:
            return page
        page = [copy.deepcopy(page[0]), *page[1:]]
        first = page[0]
        if self.kind == "negative_energy":
            for key in ("kwh", "total_energy"):
                if key in first:
                    first[key] = -abs(first[key]) - 1.0
        elif self.kind == "missing_id":
            first.pop("id", None)
            first.pop("uid", None)
        elif self.kind == "unknown_enum":
            key = "status" if "status" in first else "auth_method" if "auth_method" in first else "type"
            first[key] = "TELEPORTING"
        elif self.kind == "naive_timestamp":
            first["last_updated"] = first["last_updated"].rstrip("Z")
        elif self.kind == "wh_in_kwh":
            for key in ("kwh", "total_energy"):
                if key in first:
                    first[key] = round(first[key] * 1000, 1)
        return page

    def duplicate_from(self, previous: list[dict], page: list[dict]) -> list[dict]:
        return [previous[-1], *page] if previous else page


@dataclass
class FaultPlan:
    rules: list[FaultRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_many(self, rules: list[dict]) -> None:
        for r in rules:
            if r.get("kind") not in KINDS:
                raise ValueError(f"unknown fault kind {r.get('kind')!r}; known: {sorted(KINDS)}")
        with self._lock:
            self.rules.extend(FaultRule(**r) for r in rules)

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def take(self, module: str, offset: int) -> FaultRule | None:
        with self._lock:
            for rule in self.rules:
                if rule.module == module and rule.times > 0 and rule.offset in (None, offset):
                    rule.times -= 1
                    return rule
        return None
