"""Keyed pseudonyms for driver-linked identifiers, applied before anything is written.

HMAC-SHA256 keeps joins working (the same uid gives the same pseudonym in tokens, sessions and CDRs)
while the raw value never reaches the lake; without the key the mapping cannot be rebuilt.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "hmac:"


def pseudonym(key: str, value: str) -> str:
    digest = hmac.new(key.encode(), str(value).encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest


def pseudonymise_paths(record: dict, paths: tuple[tuple[str, ...], ...], key: str) -> dict:
    """Replace the values at `paths` (tuples of keys into nested dicts) in place."""
    for path in paths:
        node = record
        for part in path[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict) and node.get(path[-1]) is not None:
            value = node[path[-1]]
            if not str(value).startswith(PREFIX):
                node[path[-1]] = pseudonym(key, value)
    return record
