"""How power flows during a session: a piecewise-constant curve of (start, end, kW) segments.

DC charging tapers above ~80% state of charge; site load management may cap AC power for a window
(a throttling event). Everything downstream (charging periods, meter registers, SoC, truth) reads
energy from the same curve, so the figures agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

TAPER_FROM_SOC = 0.80
TAPER_STEP = timedelta(minutes=5)


@dataclass(frozen=True)
class Segment:
    start: datetime
    end: datetime
    kw: float


@dataclass(frozen=True)
class ChargeCurve:
    segments: tuple[Segment, ...]

    @property
    def end(self) -> datetime:
        return self.segments[-1].end if self.segments else datetime.min

    def kwh_between(self, a: datetime, b: datetime) -> float:
        total = 0.0
        for s in self.segments:
            lo, hi = max(a, s.start), min(b, s.end)
            if hi > lo:
                total += s.kw * (hi - lo).total_seconds() / 3600
        return total

    def kw_at(self, t: datetime) -> float:
        for s in self.segments:
            if s.start <= t < s.end:
                return s.kw
        return 0.0


def build_curve(
    start: datetime,
    latest_end: datetime,
    kw: float,
    need_kwh: float,
    battery_kwh: float,
    start_soc: float,
    dc: bool,
    cap: tuple[datetime, datetime, float] | None = None,
) -> ChargeCurve:
    """Charge from `start` until `need_kwh` is delivered or `latest_end` (the driver leaves).

    `cap` = (from, to, kW): load management limits power in that window.
    """
    segments: list[Segment] = []
    t, delivered, soc = start, 0.0, start_soc
    while delivered < need_kwh - 1e-9 and t < latest_end:
        power = kw
        if dc and soc >= TAPER_FROM_SOC:
            # linear taper to 20% of the maximum at 100% SoC
            power = kw * max(0.2, 1 - 0.8 * (soc - TAPER_FROM_SOC) / (1 - TAPER_FROM_SOC))
        step_end = min(latest_end, t + TAPER_STEP) if dc and soc >= TAPER_FROM_SOC - 0.05 else latest_end
        if cap and cap[0] <= t < cap[1]:
            power = min(power, cap[2])
            step_end = min(step_end, cap[1])
        elif cap and t < cap[0]:
            step_end = min(step_end, cap[0])
        if dc and soc < TAPER_FROM_SOC - 0.05:
            to_taper = (TAPER_FROM_SOC - 0.05 - soc) * battery_kwh / power * 3600
            step_end = min(step_end, t + timedelta(seconds=max(60.0, to_taper)))
        remaining_h = (need_kwh - delivered) / power
        step_end = min(step_end, t + timedelta(seconds=remaining_h * 3600))
        step_end = max(step_end, t + timedelta(seconds=1))
        step_end = step_end.replace(microsecond=0)
        if step_end <= t:
            break
        kwh = power * (step_end - t).total_seconds() / 3600
        segments.append(Segment(t, step_end, round(power, 3)))
        delivered += kwh
        soc += kwh / battery_kwh
        t = step_end
    return ChargeCurve(tuple(segments))
