"""The simulated CPO's tariffs, one AC and one DC tariff per currency, in OCPI 2.2.1 shape.

Prices are scaled from a EUR base by a fixed factor per currency; VAT is the site country's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.network import COUNTRY_CODE, PARTY_ID, tariff_ids_for
from simulator.timefmt import iso

if TYPE_CHECKING:
    from simulator.network import Network

PRICE_SCALE = {"EUR": 1.0, "USD": 1.1, "AUD": 1.6, "CAD": 1.5, "GBP": 0.85}
WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]


def _component(kind: str, price: float, vat: float | None, step: int) -> dict:
    comp: dict = {"type": kind, "price": round(price, 4), "step_size": step}
    if vat is not None:
        comp["vat"] = vat
    return comp


def ac_tariff(tariff_id: str, currency: str, vat: float | None) -> dict:
    """Energy with a weekday evening peak, a start fee and parking billed per 5 minutes."""
    k = PRICE_SCALE[currency]
    return {
        "id": tariff_id,
        "currency": currency,
        "type": "REGULAR",
        "tariff_alt_text": [
            {"language": "en", "text": "Start fee, per-kWh price (higher on weekdays 17-21h), parking fee."}
        ],
        "elements": [
            {
                "price_components": [_component("ENERGY", 0.42 * k, vat, 1)],
                "restrictions": {"start_time": "17:00", "end_time": "21:00", "day_of_week": WEEKDAYS},
            },
            {
                "price_components": [
                    _component("FLAT", 0.35 * k, vat, 1),
                    _component("ENERGY", 0.29 * k, vat, 1),
                    _component("PARKING_TIME", 1.50 * k, vat, 300),
                ]
            },
        ],
    }


def dc_tariff(tariff_id: str, currency: str, vat: float | None) -> dict:
    """Fast charging: start fee, energy, charging time per minute, steep idle fee."""
    k = PRICE_SCALE[currency]
    return {
        "id": tariff_id,
        "currency": currency,
        "type": "REGULAR",
        "tariff_alt_text": [{"language": "en", "text": "Start fee, per-kWh and per-minute price, idle fee."}],
        "elements": [
            {
                "price_components": [
                    _component("FLAT", 1.00 * k, vat, 1),
                    _component("ENERGY", 0.59 * k, vat, 1),
                    _component("TIME", 1.20 * k, vat, 60),
                    _component("PARKING_TIME", 9.00 * k, vat, 60),
                ]
            }
        ],
    }


def build_tariffs(network: Network) -> dict[str, dict]:
    tariffs: dict[str, dict] = {}
    for site in network.sites:
        t = site.template
        ac_id, dc_id = tariff_ids_for(t)
        for tid, builder in ((ac_id, ac_tariff), (dc_id, dc_tariff)):
            if tid not in tariffs:
                body = builder(tid, t.currency, t.vat_percent)
                tariffs[tid] = {
                    "country_code": COUNTRY_CODE,
                    "party_id": PARTY_ID,
                    **body,
                    "last_updated": iso(network.created_at),
                }
    return tariffs
