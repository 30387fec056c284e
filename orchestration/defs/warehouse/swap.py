"""Building the warehouse beside the one readers use, then swapping it in.

DuckDB lets one process write a file, and a BI tool that keeps the warehouse open (read-only) would
block the nightly build. So a build works on a copy in `.building/` next to the warehouse (same file
name, so the catalog keeps its name), and on success renames it over the original: an atomic
replace on one filesystem. Readers that had the old file open keep reading the old version until
they reconnect; a failed build leaves the warehouse exactly as it was. A lock file serialises
concurrent builds, so no build's swap can undo another's.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def building_copy(warehouse_path: str, fresh: bool = False) -> Iterator[str]:
    """`fresh`: start from an empty file, not a copy (a full rebuild after an erasure or key
    rotation: freed pages of a copied file could still hold the rows it removed)."""
    final = Path(warehouse_path)
    workdir = final.parent / ".building"
    workdir.mkdir(parents=True, exist_ok=True)
    building = workdir / final.name
    with (workdir / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            for leftover in (building, building.with_name(building.name + ".wal")):
                leftover.unlink(missing_ok=True)
            if final.exists() and not fresh:
                shutil.copy2(final, building)  # incremental models continue from the current state
            yield str(building)
            wal = building.with_name(building.name + ".wal")
            if wal.exists() and wal.stat().st_size:
                raise RuntimeError(f"the warehouse build left an unflushed write-ahead log: {wal}")
            wal.unlink(missing_ok=True)
            os.replace(building, final)
        finally:
            building.unlink(missing_ok=True)
            fcntl.flock(lock, fcntl.LOCK_UN)
