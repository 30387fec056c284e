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
    """Replace the values at `paths` (tuples of keys into nested dicts; a list on the way applies
    the rest of the path to each of its elements) in place."""
    for path in paths:
        _replace(record, path, key)
    return record


def _replace(node: object, path: tuple[str, ...], key: str) -> None:
    if isinstance(node, list):
        for item in node:
            _replace(item, path, key)
        return
    if not isinstance(node, dict):
        return
    if len(path) > 1:
        _replace(node.get(path[0]), path[1:], key)
        return
    value = node.get(path[0])
    if value is not None and not str(value).startswith(PREFIX):
        node[path[0]] = pseudonym(key, value)
