"""Reading the gate's publication rows as an auditor needs them: per raw partition, with the API
window the extractor asked for, the Delta versions written and the validation result."""

from __future__ import annotations

import json
from datetime import datetime

from chargelake.lake import Lake
from expectations.audit import read_publications
from expectations.validate import data_docs_path

# The request each source's extractor makes for a window (extractors/*/settings.py).
REQUESTS = {
    "ocpi": "GET {module} module ?date_from={start}&date_to={end} (OCPI {api_version}, every page)",
    "telemetry": "GET {module} ?from={start}&to={end} (telemetry API, every cursor page)",
    "carbon": "GET intensity for {module} from {start} to {end} (carbon APIs, chunked)",
}
MODULES = {"meter_values": "/meter-values", "alarms": "/alarms", "charge_points": "/charge-points"}


def _iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def describe(pub: dict) -> dict:
    notes = json.loads(pub.get("extract_notes") or "{}")
    start, end = _iso(pub.get("window_start")), _iso(pub.get("window_end"))
    template = REQUESTS.get(pub["source"])
    module = MODULES.get(pub["table_name"], pub["table_name"])
    request = (
        template.format(module=module, start=start, end=end, api_version=notes.get("api_version", "?"))
        if template and start
        else "snapshot of the whole module (reference data: no window)"
    )
    return {
        "publication_id": pub["publication_id"],
        "action": pub["action"],
        "source_table": f"{pub['source']}.{pub['table_name']}",
        "partition_date": pub["partition_date"],
        "run_id": pub["run_id"],
        "api_request": request,
        "window_start": start,
        "window_end": end,
        "rows": pub["rows"],
        "table_rows": json.loads(pub.get("table_rows") or "{}"),
        "delta_versions": json.loads(pub.get("delta_versions") or "{}"),
        "validation_success": pub["validation_success"],
        "validation_result_path": pub["validation_result_path"],
        "data_docs_path": data_docs_path(pub["validation_result_path"]) if pub["validation_result_path"] else None,
        "landed_files": json.loads(pub.get("file_checksums") or "[]"),
        "extract_notes": notes,
        "finished_at": _iso(pub.get("finished_at")),
        "code_version": pub.get("code_version"),
    }


def publications_of(lake: Lake, source: str, table: str, days: set[str] | None = None) -> list[dict]:
    """Every publish/quarantine row of `source.table` (for `days` only, if given), oldest first."""
    rows = [
        p
        for p in read_publications(lake).to_pylist()
        if p["source"] == source and p["table_name"] == table and (days is None or p["partition_date"] in days)
    ]
    return [describe(p) for p in sorted(rows, key=lambda p: (p["partition_date"], p["finished_at"] or datetime.min))]
