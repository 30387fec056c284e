"""Run a dlt source into `landing/<run_id>/<source>/<table>/` as Parquet.

Each run gets its own pipeline working directory: parallel partitions of one source must not race on
dlt's local state, and a bounded window needs no state at all. dlt's `replace`/`merge` are never used
here: publishing a partition is the gate's job (Delta replaceWhere).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass

import dlt
from dlt.common.pipeline import LoadInfo
from dlt.pipeline.exceptions import PipelineStepFailed

from chargelake.lake import Lake
from extractors.common.errors import SourceError

LAYOUT = "{table_name}/{load_id}.{file_id}.{ext}"
# Sources hand dlt Arrow tables (contract-shaped); dlt then adds only the load id, which the gate and
# raw rows need: NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID (chargelake.config.LIBRARY_DEFAULTS).
MANIFEST = "_chargelake_extract.json"  # what the run extracted: load id, window, row counts


@dataclass(frozen=True)
class LandingResult:
    run_id: str
    source: str
    path: str
    load_id: str
    row_counts: dict[str, int]


def _credentials(lake: Lake) -> dict | None:
    if not lake.is_s3:
        return None
    opts = lake.s3fs_options()
    creds = {"aws_access_key_id": opts.get("key"), "aws_secret_access_key": opts.get("secret")}
    if "endpoint_url" in opts:
        creds["endpoint_url"] = opts["endpoint_url"]
    region = opts.get("client_kwargs", {}).get("region_name")
    if region:
        creds["region_name"] = region
    return {k: v for k, v in creds.items() if v}


def write_manifest(lake: Lake, result: LandingResult, window: tuple[str, str], notes: dict | None = None) -> str:
    """Record the extraction next to its files, for the gate and the audit row. `notes`: what the
    source said (per table: duplicates removed, re-crawls, snapshot day or why it was skipped)."""
    path = lake.path("landing", result.run_id, result.source, MANIFEST)
    body = {"load_id": result.load_id, "window": list(window), "row_counts": result.row_counts, "notes": notes or {}}
    with lake.filesystem().open(path, "w") as fh:
        json.dump(body, fh, default=str)
    return path


def read_manifest(lake: Lake, run_id: str, source: str) -> dict:
    path = lake.path("landing", run_id, source, MANIFEST)
    fs = lake.filesystem()
    if not fs.exists(path):
        return {}
    with fs.open(path) as fh:
        return json.load(fh)


def unwrap(exc: BaseException, source: str) -> BaseException:
    """What went wrong behind dlt's step wrappers, in one sentence a user can act on.

    A SourceError already names the page or record. Anything else (a type Arrow could not hold, a
    parser's error) is the innermost exception of the chain, re-raised as a SourceError naming the
    source and the table (dlt's resource) with the exception's own message, never dlt's headline
    that ends in "with exception:"."""
    seen: BaseException | None = exc
    table = None
    innermost = exc
    while seen is not None:
        if isinstance(seen, SourceError):
            return seen
        table = getattr(seen, "pipe_name", None) or table
        innermost = seen
        seen = getattr(seen, "exception", None) or seen.__cause__ or seen.__context__
    if innermost is exc:
        return exc
    where = f"{source}.{table}" if table else source
    message = str(innermost).strip().splitlines()[0] if str(innermost).strip() else ""
    return SourceError(f"{where}: extraction failed: {type(innermost).__name__}: {message}".rstrip(": "))


def load_to_landing(source: dlt.sources.DltSource, lake: Lake, run_id: str) -> LandingResult:
    work_dir = tempfile.mkdtemp(prefix="chargelake-dlt-")
    safe = re.sub(r"[^A-Za-z0-9_]", "_", run_id)
    try:
        destination = dlt.destinations.filesystem(
            bucket_url=lake.path("landing", run_id), layout=LAYOUT, credentials=_credentials(lake)
        )
        pipeline = dlt.pipeline(
            pipeline_name=f"{source.name}_{safe}",
            pipelines_dir=work_dir,
            destination=destination,
            dataset_name=source.name,
        )
        try:
            info: LoadInfo = pipeline.run(source, loader_file_format="parquet")
        except PipelineStepFailed as exc:
            inner = unwrap(exc, source.name)
            if inner is not exc:
                raise inner from exc
            raise
        normalized = pipeline.last_trace.last_normalize_info
        counts = dict(normalized.row_counts) if normalized else {}
        counts = {t: n for t, n in counts.items() if not t.startswith("_dlt")}
        load_id = info.loads_ids[0] if info.loads_ids else None
        return LandingResult(run_id, source.name, lake.landing(run_id, source.name), load_id, counts)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
