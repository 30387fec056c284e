"""Type stability across runs: every run is its own dlt pipeline, so a field that happens to hold
only integers in one run would be typed bigint there and double in the next, and the Delta table
would refuse the merge. Known decimal fields are therefore always floats."""

from __future__ import annotations

from typing import Any


def floats_for(value: Any, decimal_fields: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {
            k: (
                float(v)
                if k in decimal_fields and isinstance(v, int) and not isinstance(v, bool)
                else floats_for(v, decimal_fields)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [floats_for(v, decimal_fields) for v in value]
    return value
