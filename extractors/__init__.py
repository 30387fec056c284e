"""One dlt source per API (`ocpi/`, later `telemetry/`, `carbon/`) and the helpers they share."""

import chargelake.config  # noqa: F401  (switches third-party telemetry off before anything loads)
