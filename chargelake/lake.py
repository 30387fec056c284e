"""Where things live under CHARGELAKE_LAKE_URL, and how to reach it (local folder or S3).

Every path of DESIGN.md's lake layout is built here so that the extractors, the gate, dbt and the
reports agree on it by construction.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import fsspec


@dataclass(frozen=True)
class Lake:
    url: str

    @property
    def is_s3(self) -> bool:
        return self.url.startswith("s3://")

    def path(self, *parts: str) -> str:
        return "/".join([self.url.rstrip("/"), *(p.strip("/") for p in parts)])

    def landing(self, run_id: str, source: str, table: str | None = None) -> str:
        return self.path("landing", run_id, source, *([table] if table else []))

    def raw(self, source: str, table: str) -> str:
        return self.path("raw", source, table)

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
        """`audience`: shared or restricted (orchestration/warehouse/audiences.py)."""
        return self.path("marts", audience, model)

    def filesystem(self) -> fsspec.AbstractFileSystem:
        if self.is_s3:
            return fsspec.filesystem("s3", **s3fs_options())
        return fsspec.filesystem("file", auto_mkdir=True)

    def delta_storage_options(self) -> dict[str, str] | None:
        """deltalake (object_store) options; None for local paths."""
        if not self.is_s3:
            return None
        opts = {"AWS_REGION": os.environ.get("AWS_REGION", "us-east-1")}
        # deltalake 1.x commits to S3 with conditional writes (If-None-Match: put-if-absent), so
        # concurrent publishers are safe without a lock. An S3-compatible store without conditional
        # writes needs the unsafe rename, and then one publisher at a time (docs/operations.md).
        if os.environ.get("CHARGELAKE_S3_UNSAFE_RENAME", "").lower() == "true":
            opts["AWS_S3_ALLOW_UNSAFE_RENAME"] = "true"
        for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            if os.environ.get(key):
                opts[key] = os.environ[key]
        if opts.get("AWS_ENDPOINT_URL", "").startswith("http://"):
            opts["AWS_ALLOW_HTTP"] = "true"
        return opts


def s3fs_options() -> dict[str, Any]:
    opts: dict[str, Any] = {}
    if os.environ.get("AWS_ENDPOINT_URL"):
        opts["endpoint_url"] = os.environ["AWS_ENDPOINT_URL"]
    if os.environ.get("AWS_ACCESS_KEY_ID"):
        opts["key"] = os.environ["AWS_ACCESS_KEY_ID"]
        opts["secret"] = os.environ.get("AWS_SECRET_ACCESS_KEY")
    if os.environ.get("AWS_REGION"):
        opts["client_kwargs"] = {"region_name": os.environ["AWS_REGION"]}
    return opts
