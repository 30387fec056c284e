"""The raw columns that hold driver pseudonyms (made by the extractors from
`extractors/ocpi/settings.PSEUDONYMISED`, and the cards of the OCPP-J logs' transaction events):
what erasure matches on and key rotation re-keys.
`tests/e2e/test_demo_privacy.py` fails when a raw column holds pseudonyms and is missing here."""

from __future__ import annotations

PSEUDONYM_COLUMNS: dict[str, tuple[str, ...]] = {
    "ocpi/tokens": ("uid", "contract_id", "visual_number", "energy_contract__contract_id"),
    "ocpi/sessions": ("cdr_token__uid", "cdr_token__contract_id"),
    "ocpi/cdrs": ("cdr_token__uid", "cdr_token__contract_id"),
    "ocpi/locations__publish_allowed_to": ("uid", "visual_number"),
    "telemetry/transactions": ("id_tag",),
}
