"""Where things live under CHARGELAKE_LAKE_URL, and how to reach it (local folder or S3).

Every path of DESIGN.md's lake layout is built here so that the extractors, the gate, dbt and the
reports agree on it by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import fsspec

from chargelake.config import ConfigError, StorageSettings


@dataclass(frozen=True)
class Lake:
    url: str
    # How to reach an s3:// lake; by default as the environment says (Settings.lake() passes its own).
    storage: StorageSettings = field(default_factory=StorageSettings.from_env, compare=False, repr=False)

    @property
    def is_s3(self) -> bool:
        return self.url.startswith("s3://")

    def path(self, *parts: str) -> str:
        return "/".join([self.url.rstrip("/"), *(p.strip("/") for p in parts)])

    def landing(self, run_id: str, source: str, table: str | None = None) -> str:
        return self.path("landing", run_id, source, *([table] if table else []))

    def raw(self, source: str, table: str) -> str:
        return self.path("raw", source, table)

    def derived(self, table: str) -> str:
        """A table computed in Python from published raw partitions (expectations/derived.py)."""
        return self.path("derived", table)

    def quarantine(self, run_id: str, source: str, table: str) -> str:
        return self.path("quarantine", run_id, source, table)

    def publications(self) -> str:
        return self.path("audit", "publications")

    def erasures(self) -> str:
        return self.path("audit", "erasures")

    def key_rotations(self) -> str:
        return self.path("audit", "key_rotations")

    def validations(self, run_id: str) -> str:
        return self.path("audit", "validations", run_id)

    def marts(self, model: str, audience: str) -> str:
        """`audience`: shared or restricted (orchestration/defs/warehouse/audiences.py)."""
        return self.path("marts", audience, model)

    def filesystem(self) -> fsspec.AbstractFileSystem:
        if self.is_s3:
            return fsspec.filesystem("s3", **self.storage.s3fs_options())
        return fsspec.filesystem("file", auto_mkdir=True)

    def delta_storage_options(self) -> dict[str, str] | None:
        """deltalake (object_store) options; None for local paths."""
        return self.storage.delta_options() if self.is_s3 else None

    def s3fs_options(self) -> dict[str, Any]:
        return self.storage.s3fs_options()

    def check_writable(self) -> None:
        """A lake that cannot be written is a user's mistake (permissions, a missing bucket, an
        unreachable endpoint): one sentence, before any run starts."""
        probe = self.path("_chargelake_write_probe")
        try:
            fs = self.filesystem()
            with fs.open(probe, "w") as fh:
                fh.write("ok")
            fs.rm(probe)
        except Exception as exc:  # any storage error
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(f"the lake at {self.url} is not writable ({reason})") from None
