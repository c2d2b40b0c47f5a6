"""The journal's hashes: each line's `hash` is the SHA-256 of its object without `hash`, sorted keys, compact separators."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson

_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def canonical(obj: dict[str, Any]) -> bytes:
    """The bytes the hash is computed over."""
    return _encode(obj).encode("utf-8")


def event_hash(obj: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in obj.items() if k != "hash"})).hexdigest()


def hashed_line(obj: dict[str, Any]) -> tuple[str, bytes]:
    """`obj`'s hash and its journal line (`obj` with that `hash`, canonical, newline-ended), JSON-encoding `obj` once.

    Sorted keys put `hash` between the keys before it and those after it: each half is encoded
    once, the hash is taken over the halves as they stand (no copy of them joined), and the line
    is the same bytes with `"hash":"…"` between them (an output event's 256 KiB of text is not
    escaped twice, and copied once, into the line).
    """
    before = _members({k: v for k, v in obj.items() if k < "hash"})
    after = _members({k: v for k, v in obj.items() if k > "hash"})
    hasher = hashlib.sha256(b"{")
    hasher.update(before)
    if before and after:
        hasher.update(b",")
    hasher.update(after)
    hasher.update(b"}")
    digest = hasher.hexdigest()
    member = b'"hash":"' + digest.encode() + b'"'
    return digest, b"".join((b"{", before, b"," if before else b"", member, b"," if after else b"", after, b"}\n"))


def _members(part: dict[str, Any]) -> bytes | memoryview:
    """`part` as `canonical` writes it, without its braces.

    Text and integers only (an `output` event): `orjson` writes them byte for byte as `json` does (a test checks
    every character) and escapes a chunk of output several times faster; anything else, or what `orjson`
    refuses (a lone surrogate, an integer past 64 bits), goes through `json`, which decides (and raises as before).
    """
    if all(type(value) is str or type(value) is int for value in part.values()):
        try:
            return memoryview(orjson.dumps(part, option=orjson.OPT_SORT_KEYS))[1:-1]
        except orjson.JSONEncodeError:
            pass
    return _encode(part)[1:-1].encode("utf-8")
