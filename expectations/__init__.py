"""The write-audit-publish gate: GE suites as code (one per raw table), validation of a landed
partition, and its publication to the raw Delta table or its quarantine, with an audit row either way."""

import chargelake.config  # noqa: F401  (switches third-party telemetry off before anything loads)
