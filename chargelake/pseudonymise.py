"""Keyed pseudonyms for driver-linked identifiers, applied before anything is written.

A pseudonym is `psn:<key id>:<AES-SIV ciphertext, base64url>` of the identifier (RFC 5297, no nonce:
deterministic, so the same card gives the same pseudonym in tokens, sessions and CDRs and joins keep
working). Without the key nothing can be learnt from it, not even by trying candidate card numbers.
With the key it can be turned back into the identifier: that is what lets `chargelake privacy
rotate-key` re-key a lake whose identifiers are nowhere else (the CPMS may no longer serve old data),
and `privacy erase` accept a pseudonym from any key in use. A one-way HMAC could do neither
(docs/decisions.md). The key id names the key a value was made with, never the key itself, so the
lake shows which key each partition used and a rotation can resume where it stopped.

Identifiers are padded to a multiple of 16 bytes (at least 32) before encryption so a pseudonym's
length does not tell a 7-character printed number from a 14-character RFID uid.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "psn:"
_SALT = b"chargelake pseudonyms v1"
_BLOCK = 16
_MIN_PADDED = 32


class PseudonymError(ValueError):
    """A value that looks like a pseudonym but no key in hand opens it."""


def _derive(key: str, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=_SALT, info=info).derive(key.encode())


@lru_cache(maxsize=8)
def _cipher(key: str) -> AESSIV:
    return AESSIV(_derive(key, b"aes-siv-512", 64))


@lru_cache(maxsize=8)
def key_id(key: str) -> str:
    """Eight hex characters that name the key (an HKDF output, not a hash of the key alone)."""
    return _derive(key, b"key id", 4).hex()


def _pad(data: bytes) -> bytes:
    padded = data + b"\x80"
    size = max(_MIN_PADDED, -(-len(padded) // _BLOCK) * _BLOCK)
    return padded + b"\x00" * (size - len(padded))


def _unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise PseudonymError("a pseudonym whose padding is damaged")
    return stripped[:-1]


@lru_cache(maxsize=65536)
def pseudonym(key: str, value: str) -> str:
    sealed = _cipher(key).encrypt(_pad(str(value).encode()), None)
    return f"{PREFIX}{key_id(key)}:{base64.urlsafe_b64encode(sealed).rstrip(b'=').decode()}"


def is_pseudonym(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def value_key_id(value: str) -> str | None:
    """The key id a pseudonym was made with (None: not a pseudonym)."""
    if not is_pseudonym(value):
        return None
    return value[len(PREFIX) :].split(":", 1)[0]


def reveal(keys: Iterable[str], value: str) -> str:
    """The identifier behind a pseudonym, with whichever of `keys` made it."""
    wanted = value_key_id(value)
    if wanted is None:
        raise PseudonymError(f"{value[:12]!r}... is not a pseudonym ({PREFIX}<key id>:...)")
    for key in keys:
        if key and key_id(key) == wanted:
            body = value[len(PREFIX) :].split(":", 1)[-1]
            try:
                sealed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
                return _unpad(_cipher(key).decrypt(sealed, None)).decode()
            except (InvalidTag, binascii.Error, UnicodeDecodeError, ValueError) as exc:
                raise PseudonymError(f"a pseudonym of key id {wanted} does not open with that key") from exc
    raise PseudonymError(
        f"a pseudonym of key id {wanted}, which is neither the current key nor CHARGELAKE_PSEUDONYM_KEY_PREVIOUS"
    )


def rekey(value: str, old_keys: Iterable[str], new_key: str) -> str:
    """The same identifier's pseudonym under `new_key` (unchanged when it already is)."""
    if value_key_id(value) == key_id(new_key):
        return value
    return pseudonym(new_key, reveal(old_keys, value))


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
    if value is not None and not is_pseudonym(value):
        node[path[0]] = pseudonym(key, value)
