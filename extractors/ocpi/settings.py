"""OCPI 2.2.1 constants for the extractor: modules, fields to pseudonymise, decimal fields."""

from __future__ import annotations

VERSION = "2.2.1"
MODULES: tuple[str, ...] = ("locations", "sessions", "cdrs", "tariffs", "tokens")
DEFAULT_PAGE_LIMIT = 100
SUCCESS = 1000

# Driver-linked identifiers (mod_tokens Token, mod_cdrs CdrToken) replaced by keyed pseudonyms.
_CDR_TOKEN = (("cdr_token", "uid"), ("cdr_token", "contract_id"))
PSEUDONYMISED: dict[str, tuple[tuple[str, ...], ...]] = {
    "tokens": (("uid",), ("contract_id",), ("visual_number",), ("energy_contract", "contract_id")),
    "sessions": _CDR_TOKEN,
    "cdrs": _CDR_TOKEN,
}

# Fields typed `number` in the spec: always written as floats (see extractors.common.normalise).
DECIMAL_FIELDS = frozenset(
    {
        "kwh",
        "total_energy",
        "total_time",
        "total_parking_time",
        "excl_vat",
        "incl_vat",
        "price",
        "vat",
        "volume",
        "min_kwh",
        "max_kwh",
        "min_current",
        "max_current",
        "min_power",
        "max_power",
        "max_electric_power_kw",
    }
)

# Column hints: the timestamps every module carries, so dlt never leaves them as text.
TIMESTAMP_COLUMNS = ("last_updated", "start_date_time", "end_date_time")
