"""OpenSSH SSHSIG signatures (PROTOCOL.sshsig) in namespace `runbook-tui`, and allowed_signers files.

The blob is `"SSHSIG" uint32(1) string(publickey) string(namespace) string("")
string(hash_alg) string(signature)`, where the signature is over
`"SSHSIG" string(namespace) string("") string(hash_alg) string(H(message))`.
`ssh-keygen -Y verify -n runbook-tui` accepts what `sign` makes here, and
`verify` here accepts what `ssh-keygen -Y sign -n runbook-tui` makes.

A key is signed with in this process: a private key file, or a key held by
the ssh-agent (which signs without giving the key out).

asyncssh (and the cryptography it loads) is imported when a key is first
used, not with this module: `run` without a key or an agent reaches its first
frame without it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.bounded_read import read_limited
from runbook_tui.runbook.lean_dataclass import dataclass

if TYPE_CHECKING:
    import asyncssh

NAMESPACE = "runbook-tui"
_MAGIC = b"SSHSIG"
#: A private key file is read at most this far (a FIFO or /dev/zero named by --identity is refused).
KEY_FILE_BYTES = 4 * 1024 * 1024
_HASH = b"sha512"
_ARMOR = ("-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----")
#: How long the ssh-agent may take to list its keys or sign (a key added with `ssh-add -c` waits for a click).
AGENT_SECONDS = 20.0


class SignatureError(ValueError):
    """A signature that is not SSHSIG, or a key that cannot sign; the message says which."""


def _to_sign(message: bytes, namespace: str) -> bytes:
    from asyncssh.packet import String

    return _MAGIC + String(namespace) + String(b"") + String(_HASH) + String(hashlib.sha512(message).digest())


def armor(blob: bytes) -> str:
    body = base64.b64encode(blob).decode()
    lines = [body[i : i + 70] for i in range(0, len(body), 70)]
    return "\n".join([_ARMOR[0], *lines, _ARMOR[1]]) + "\n"


def unarmor(text: str) -> bytes:
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) < 3 or lines[0] != _ARMOR[0] or lines[-1] != _ARMOR[1]:
        raise SignatureError("expected an armored SSH signature (-----BEGIN SSH SIGNATURE-----)")
    try:
        return base64.b64decode("".join(lines[1:-1]), validate=True)
    except ValueError:
        raise SignatureError("the SSH signature is not valid base64") from None


class Signer:
    """Signs with one key: a file's (in this process) or the ssh-agent's; `fingerprint` names its public key."""

    def __init__(self, public_data: bytes, source: str, keypair: asyncssh.SSHKeyPair | None = None) -> None:
        self._public_data = public_data
        self._keypair = keypair
        self.source = source  # the key file, or "ssh-agent"
        from asyncssh.public_key import decode_ssh_public_key

        self.public_key = decode_ssh_public_key(public_data)
        self.fingerprint = self.public_key.get_fingerprint()

    async def sign(self, message: bytes, namespace: str = NAMESPACE) -> str:
        """The armored SSHSIG of `message`."""
        from asyncssh.packet import String, UInt32

        data = _to_sign(message, namespace)
        raw = _rsa_sha512(self._keypair).sign(data) if self._keypair is not None else await self._agent_sign(data)
        blob = _MAGIC + UInt32(1) + String(self._public_data) + String(namespace) + String(b"") + String(_HASH) + String(raw)
        try:  # an agent may answer with anything: what does not verify is never sent or journaled as signed
            verify(message, armor(blob), namespace, signer=self.fingerprint)
        except SignatureError as exc:
            raise SignatureError(f"the {self.source} signature does not hold: {exc}") from None
        return armor(blob)

    async def _agent_sign(self, data: bytes) -> bytes:
        """The agent signs (a connection per signature: it outlives no event loop and holds no key)."""
        import asyncssh

        async def agent_sign() -> bytes | None:
            async with await asyncssh.connect_agent() as agent:
                for keypair in await agent.get_keys():
                    if keypair.public_data == self._public_data:
                        return await _rsa_sha512(keypair).sign_async(data)  # type: ignore[attr-defined, no-any-return]
            return None

        try:
            raw = await asyncio.wait_for(agent_sign(), AGENT_SECONDS)
        except TimeoutError:
            raise SignatureError(f"the ssh-agent did not answer within {AGENT_SECONDS:g} s") from None
        except (OSError, ValueError, asyncssh.Error) as exc:
            raise SignatureError(f"the ssh-agent did not sign: {exc}") from None
        if raw is None:
            raise SignatureError(f"the ssh-agent no longer holds {self.fingerprint}")
        return raw


def _rsa_sha512(keypair: asyncssh.SSHKeyPair) -> asyncssh.SSHKeyPair:
    if keypair.sig_algorithm == b"ssh-rsa":
        keypair.set_sig_algorithm(b"rsa-sha2-512")
    return keypair


def load_key(path: str, passphrase: str | None = None, *, from_agent: str = ": the agent's copy of it signs") -> asyncssh.SSHKeyPair:
    """The private key in the file at `path`; SignatureError saying why it cannot be used (after the path, as
    `PATH: …`). A key protected by a passphrase is used from the ssh-agent (`from_agent` says how): nothing here asks
    for a passphrase."""
    import asyncssh

    try:  # read bounded: a FIFO or /dev/zero named here hung `approve` and `exec`
        return asyncssh.load_keypairs([read_limited(Path(path).expanduser(), KEY_FILE_BYTES)], passphrase=passphrase)[0]
    except OSError as exc:
        raise SignatureError(f"{path}: cannot read this key: {exc.strerror}") from None
    except (asyncssh.KeyImportError, ValueError, IndexError) as exc:
        if passphrase is None and "Passphrase must be specified" in str(exc):
            raise SignatureError(
                f"{path}: this key is protected by a passphrase, which runbook-tui never asks for: add it to your ssh-agent (ssh-add {path}){from_agent}"
            ) from None
        raise SignatureError(f"{path}: cannot use this key to sign: {exc} (expected a private key file as ssh-keygen writes it, not its .pub)") from None


def file_signer(path: str, passphrase: str | None = None) -> Signer:
    """`--identity KEY`: the private key file."""
    keypair = load_key(path, passphrase)
    signer = Signer(keypair.public_data, path, keypair)
    from runbook_tui.trust.key_strength import weakness

    if (weak := weakness(signer.public_key)) is not None:
        raise SignatureError(f"{path}: cannot use this key to sign: {weak}")
    return signer


async def identity_signer(path: str) -> Signer:
    """`--identity KEY`: the private key file; when it cannot be read without a passphrase (or is the .pub), the
    ssh-agent's copy of that key, as `ssh -i` and `ssh-keygen -Y sign -f` use it (before: refused, and without
    --identity the agent's first key signed, whichever person's it was)."""
    try:
        return file_signer(path)
    except SignatureError:
        public = _public_half(path)
        held = await agent_signer(public.get_fingerprint()) if public is not None else None
        if held is None:
            raise
        return held


def _public_half(path: str) -> asyncssh.SSHKey | None:
    """The public key `path` names, as ssh finds it: the file itself when it is one, else `PATH.pub` beside it."""
    import asyncssh

    for candidate in (path, f"{path}.pub"):
        try:
            return asyncssh.import_public_key(read_limited(Path(candidate).expanduser(), KEY_FILE_BYTES))
        except (OSError, ValueError, asyncssh.KeyImportError):
            continue
    return None


async def agent_keys() -> list[Signer]:
    """Every key the ssh-agent ($SSH_AUTH_SOCK) holds, in its order; none without an agent, or from one that does not answer."""
    if not os.environ.get("SSH_AUTH_SOCK"):
        return []  # what asyncssh's connect_agent would find too, without loading it
    import asyncssh

    async def listed() -> Sequence[asyncssh.SSHKeyPair]:
        async with await asyncssh.connect_agent() as agent:
            keys = await agent.get_keys()
        return keys

    try:
        keys = await asyncio.wait_for(listed(), AGENT_SECONDS)
    except (TimeoutError, OSError, ValueError, asyncssh.Error):
        return []  # an agent that does not answer holds no key we can use
    return [Signer(k.public_data, "ssh-agent") for k in keys]


async def agent_signer(fingerprint: str | None = None, prefer: Callable[[asyncssh.SSHKey], bool] | None = None) -> Signer | None:
    """A key held by the ssh-agent ($SSH_AUTH_SOCK): the one with `fingerprint`, else the first strong enough to stand
    for a person (an RSA key of 1024 bits first in the agent signed the assignee's decisions, where `--identity` refuses
    it), the first that `prefer` takes if any does (a key the allowed signers list); None without one."""
    from runbook_tui.trust.key_strength import weakness

    usable = [s for s in await agent_keys() if (fingerprint is None or s.fingerprint == fingerprint) and weakness(s.public_key) is None]
    return next((s for s in usable if prefer is not None and prefer(s.public_key)), usable[0] if usable else None)


@dataclass(frozen=True, slots=True)
class Verified:
    """A signature that holds: made by `key` (its fingerprint) over the message, in our namespace."""

    key: asyncssh.SSHKey
    fingerprint: str


class WrongSigner(SignatureError):
    """A signature by another key than the one expected (found before any of the signature's arithmetic is done)."""

    def __init__(self, fingerprint: str, expected: str) -> None:
        super().__init__(f"signed by {fingerprint}, not by {expected}")
        self.fingerprint = fingerprint


#: The key types of OpenSSH certificates (PROTOCOL.certkeys), as a signature's public key blob names them.
_CERTIFICATE = lazy_re.compile(rb"[a-z0-9-]+(@openssh\.com)?-cert-v01@openssh\.com")


def _not_a_certificate(blob: bytes) -> bytes:
    """`blob`, a signature's public key; SignatureError when it is a certificate (`ssh-keygen -Y sign -f KEY-cert.pub`),
    which OpenSSH accepts under a `cert-authority` line and runbook-tui does not check (before: "damaged")."""
    from asyncssh.packet import PacketDecodeError, SSHPacket

    try:
        kind = SSHPacket(blob).get_string()
    except PacketDecodeError:
        return blob  # said as damaged where the key is decoded
    if _CERTIFICATE.fullmatch(kind):
        raise SignatureError(
            f"it is signed with an SSH certificate ({kind.decode()}), which runbook-tui does not check: it checks signatures"
            " by the keys allowed_signers lists (not cert-authority lines); sign with the plain key, and list that key"
        )
    return blob


def verify(message: bytes, signature: str, namespace: str = NAMESPACE, *, signer: str | None = None) -> Verified:
    """Check a signature over `message`; raises SignatureError saying why it does not hold.

    `signer`: the fingerprint the signature must be by. A signature carries its own public key, and checking one made
    with a key chosen to be slow (an RSA exponent as large as the modulus: ~10 ms each) on the event loop would let a
    participant stall the assignee's screen with bad signatures, so any other key is refused before that work."""
    import asyncssh
    from asyncssh.packet import PacketDecodeError, SSHPacket, String
    from asyncssh.public_key import decode_ssh_public_key

    try:
        packet = SSHPacket(unarmor(signature))
        if packet.get_bytes(6) != _MAGIC or packet.get_uint32() != 1:
            raise SignatureError("not an SSHSIG signature (version 1)")
        key = decode_ssh_public_key(_not_a_certificate(packet.get_string()))
        signed_namespace = packet.get_string().decode("utf-8", "replace")
        packet.get_string()  # reserved
        hash_name = packet.get_string()
        raw = packet.get_string()
        packet.check_end()
        algorithm = SSHPacket(raw).get_string()
    except (PacketDecodeError, asyncssh.KeyImportError) as exc:
        raise SignatureError(f"the SSH signature is damaged: {exc}") from None
    if signer is not None and key.get_fingerprint() != signer:
        raise WrongSigner(key.get_fingerprint(), signer)
    if signed_namespace != namespace:
        raise SignatureError(f"signed for namespace {signed_namespace!r}, not {namespace!r}")
    if hash_name not in (b"sha512", b"sha256"):
        raise SignatureError(f"unsupported hash {hash_name!r}")
    if algorithm == b"ssh-rsa":  # OpenSSH's sshsig refuses RSA with SHA-1 too
        raise SignatureError(f"the signature by {key.get_fingerprint()} is RSA with SHA-1 (ssh-rsa), which OpenSSH refuses")
    digest = (hashlib.sha512 if hash_name == b"sha512" else hashlib.sha256)(message).digest()
    data = _MAGIC + String(namespace) + String(b"") + String(hash_name) + String(digest)
    if not key.verify(data, raw):
        raise SignatureError(f"the signature by {key.get_fingerprint()} does not match what was signed")
    return Verified(key, key.get_fingerprint())
