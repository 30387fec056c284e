"""Energy registers per EVSE: cumulative Wh that only moves while a session charges.

The register at a session's start is the EVSE's base value plus every earlier session's energy
(memoised per EVSE and local day, so a year is generated once), so register deltas over a session
equal the session's kWh. One EVSE per network resets its register to zero once (a meter swap).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from simulator.network import Evse, Network, Site
from simulator.rng import derived_rng
from simulator.sessions import SimSession, generate_sessions, sessions_for_evse_day


def resets_register(network: Network, evse: Evse) -> date | None:
    """The local day at 03:00 of which this EVSE's meter is swapped (register back to 0), if any."""
    if evse.uid != network.sites[0].evses[-1].uid:
        return None
    created = network.created_at.date()
    return created + timedelta(days=2)


class Registers:
    def __init__(self, network: Network) -> None:
        self.network = network
        self._day_kwh = lru_cache(maxsize=400_000)(self._kwh_of_day)

    def _kwh_of_day(self, site_index: int, evse_index: int, day: date) -> float:
        site = self.network.sites[site_index]
        return sum(
            s.curve.kwh_between(s.start, s.end)
            for s in generate_sessions(self.network, site, site.evses[evse_index], day)
        )

    def base_wh(self, evse: Evse) -> float:
        return float(derived_rng(self.network.seed, "register", evse.uid).randrange(50_000, 5_000_000))

    def at_session_start(self, site: Site, evse: Evse, session: SimSession) -> float:
        """Register (Wh) when `session` starts: base + all energy of earlier local days and sessions."""
        si = self.network.sites.index(site)
        ei = site.evses.index(evse)
        tz = ZoneInfo(site.template.time_zone)
        day = session.start.astimezone(tz).date()
        first = self.network.created_at.astimezone(tz).date() - timedelta(days=1)
        reset = resets_register(self.network, evse)
        if reset is not None and datetime.combine(reset, time(3), tz) <= session.start:
            wh, first = 0.0, reset
        else:
            wh = self.base_wh(evse)
        d = first
        while d < day:
            wh += self._day_kwh(si, ei, d) * 1000
            d += timedelta(days=1)
        for earlier in sessions_for_evse_day(self.network, site, evse, day):
            if earlier.start < session.start and (
                reset is None or d != reset or earlier.start.astimezone(tz).time() >= time(3)
            ):
                wh += earlier.curve.kwh_between(earlier.start, earlier.end) * 1000
        return wh
