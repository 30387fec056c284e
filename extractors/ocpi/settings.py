"""OCPI constants for the extractor: versions spoken, modules, snapshot modules, driver identifiers."""

from __future__ import annotations

from chargelake.catalogue import load_catalogue

# Versions we speak, best first. "2.2" objects are read with the 2.2.1 contract (2.2.1 is its bugfix).
SUPPORTED_VERSIONS: tuple[str, ...] = ("2.2.1", "2.2", "2.1.1")
CONTRACT_VERSION = "2.2.1"  # the raw contract every version is mapped into
MODULES: tuple[str, ...] = load_catalogue().source("ocpi").raw_tables  # the contract's catalogue
# Reference data (catalogued `published: snapshot`): fetched completely (no date filter) and published
# as a snapshot of the day it was taken. Sessions and CDRs are a change log, read by `last_updated` window.
SNAPSHOT_MODULES = load_catalogue().source("ocpi").snapshot_tables
DEFAULT_PAGE_LIMIT = 100
SUCCESS = 1000
MAX_CRAWLS = 4  # a list read again while X-Total-Count keeps changing (objects created mid-crawl)

# Driver-linked identifiers (mod_tokens Token, mod_cdrs CdrToken) replaced by keyed pseudonyms.
_CDR_TOKEN = (("cdr_token", "uid"), ("cdr_token", "contract_id"))
PSEUDONYMISED: dict[str, tuple[tuple[str, ...], ...]] = {
    "tokens": (("uid",), ("contract_id",), ("visual_number",), ("auth_id",), ("energy_contract", "contract_id")),
    "sessions": _CDR_TOKEN,
    "cdrs": _CDR_TOKEN,
    # Cards allowed to see a location (PublishTokenType): a list of token identifiers.
    "locations": (("publish_allowed_to", "uid"), ("publish_allowed_to", "visual_number")),
}
