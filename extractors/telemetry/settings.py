"""The telemetry API's constants: endpoints, paging, late data, and OCPP units in canonical form."""

from __future__ import annotations

from chargelake.catalogue import load_catalogue

API_PREFIX = "/telemetry/v1"
TABLES: tuple[str, ...] = load_catalogue().source("telemetry").raw_tables  # the contract's catalogue
ENDPOINTS = {"meter_values": "meter-values", "alarms": "alarms", "charge_points": "charge-points"}
# Transaction events (1.6 Start/StopTransaction, 2.0.1 TransactionEvent) reach us only in OCPP-J logs.
NOT_SERVED_BY_API = {
    "transactions": "the telemetry API serves no transaction events (OCPP-J logs do: CHARGELAKE_OCPP_LOG_URL)"
}
# Messages per request, below the API's 10,000: a parsed page is all Python objects at once, and at
# 10,000 messages it was a day's largest transient (+120 MB over the resident set on the reference
# network), the peak of every day after the first; at 2,000, +10 MB (docs/performance.md).
PAGE_LIMIT = 2_000
FLATTEN_BATCH = 2_000  # messages flattened into one Arrow table (bounds peak memory, not speed)
MAX_WINDOW_DAYS = 7  # the API answers at most 7 days per request

# Late data: chargers that were offline upload what they measured when they reconnect. A day's
# partition holds what was *received* that day, read from measurements of the last LOOKBACK_DAYS
# days too; values measured longer ago than that and received today would be missed, so the
# extraction warns when the oldest day it read still had values received today.
DEFAULT_LOOKBACK_DAYS = 3

# Canonical columns: which measurands fill them, and each OCPP unit's factor to the column's unit.
# Reactive and apparent quantities (var, VAh, ...) and other measurands stay in `value` only.
CANONICAL_COLUMNS: tuple[tuple[str, str, dict[str, float]], ...] = (
    ("Energy.Active.", "value_kwh", {"Wh": 0.001, "kWh": 1.0}),
    ("Power.Active.", "value_kw", {"W": 0.001, "kW": 1.0}),
    ("Current.", "value_a", {"A": 1.0}),
    ("Voltage", "value_v", {"V": 1.0}),
    ("SoC", "soc_pct", {"Percent": 1.0}),
)
