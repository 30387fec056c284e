"""Grid carbon-intensity APIs: which source serves which zone, and their request limits."""

from __future__ import annotations

from chargelake.catalogue import load_catalogue

TABLES: tuple[str, ...] = load_catalogue().source("carbon").raw_tables  # the contract's catalogue
GB_NATIONAL_ZONE = "GB"
GB_REGIONAL_PREFIX = "GB-"  # GB-13: the GB API's region 13 (London); regional data is forecast only
GB_MAX_DAYS = 14  # per request (the GB Carbon Intensity API's limit)
EM_MAX_DAYS = 10  # per request (Electricity Maps past-range)
SOURCE_GB_NATIONAL = "gb_carbon_intensity_national"
SOURCE_GB_REGIONAL = "gb_carbon_intensity_regional"
SOURCE_EM = "electricity_maps"
