"""Derived seeds: every EVSE-day is generated from its own seed, so generation is lazy and any
request order yields byte-identical responses."""

from __future__ import annotations

import hashlib
import random


def derived_rng(seed: int, *parts: object) -> random.Random:
    digest = hashlib.sha256("|".join([str(seed), *map(str, parts)]).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))
