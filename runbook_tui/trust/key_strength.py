"""Which SSH keys may stand for a person in a run: who may join it (`--verifier-key`, `--observer-key`,
`--participants`) and whose key signs the decisions (`--identity`).

A verifier's key is the two-person rule: whoever holds it confirms the steps. A private key given where the
public one is asked for means the verifier's secret sits on the assignee's machine, named in the journal and in
every resume command; RSA under 2048 bits (NIST has disallowed 1024 since 2013) and DSA (dropped by OpenSSH)
are keys someone else may come to hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncssh

MIN_RSA_BITS = 2048
EXPECTED = f"expected an ed25519 or ECDSA key, or RSA of at least {MIN_RSA_BITS} bits (ssh-keygen -t ed25519 makes one)"
_PRIVATE_MARKS = ("PRIVATE KEY-----", "PuTTY-User-Key-File")


def private_key_problem(text: str) -> str | None:
    """Why `text`, given as a public key, may not be used: it is a private key."""
    if any(mark in text for mark in _PRIVATE_MARKS):
        return "this is a private key: expected the public one (the .pub file next to it, or `ssh-keygen -y -f KEY`); a private key never leaves its owner's machine"
    return None


def weakness(key: asyncssh.SSHKey) -> str | None:
    """Why `key` is too weak to stand for a person, or None."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    if key.get_algorithm() == "ssh-dss":
        return f"this is a DSA key (ssh-dss), which OpenSSH no longer accepts; {EXPECTED}"
    public = key.pyca_key
    if isinstance(public, (rsa.RSAPublicKey, rsa.RSAPrivateKey)) and public.key_size < MIN_RSA_BITS:
        return f"this is an RSA key of {public.key_size} bits; {EXPECTED}"
    return None
