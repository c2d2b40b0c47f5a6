"""Journal lines as a forger would write them, for the tests that show the readers refuse them."""

from __future__ import annotations

import hashlib


def hashed_as_written(spelled: bytes) -> bytes:
    """A line whose `hash` is the SHA-256 of its own (non-canonical) bytes, as a forger hashing what they wrote would make it."""
    return spelled[:-1] + b',"hash":"' + hashlib.sha256(spelled).hexdigest().encode() + b'"}\n'
