"""One dlt source per API (`ocpi/`, later `telemetry/`, `carbon/`) and the helpers they share."""
