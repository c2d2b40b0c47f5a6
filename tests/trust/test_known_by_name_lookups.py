"""`KnownByName.match` makes each known_hosts lookup once (each goes over every pattern line: an HMAC per hashed line), and
answers as the three lookups it made before: trusted under the name alone; revoked under the name or the address,
`[host]:port` or bare, what asyncssh's fallback to the bare name dropped included. Compared on generated files mixing exact,
pattern, negated, CIDR and hashed lines, `@revoked` and `@cert-authority`, against that definition in asyncssh's terms."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random

import asyncssh
import pytest

from runbook_tui.trust.known_by_name import KnownByName

KEYS = [asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip() for _ in range(4)]
#: (name connected to, the address it resolved to, port as asyncssh passes it: None for 22)
LOOKUPS = [(h, a, p) for h in ("db1", "10.0.0.5", "127.0.0.1") for a in ("10.0.0.5", "127.0.0.1", "") for p in (None, 2222)]


def _hashed(rng: random.Random, name: str) -> str:
    salt = rng.randbytes(20)
    return f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(hmac.new(salt, name.encode(), hashlib.sha1).digest()).decode()}"


def _names(rng: random.Random) -> str:
    plain = ["db1", "[db1]:2222", "10.0.0.5", "[10.0.0.5]:2222", "127.0.0.1", "[127.0.0.1]:2222", "other", "*", "10.0.0.*", "10.0.0.0/8"]
    plain += ["!db1", "!10.0.0.5", "[*]:2222", "db?"]
    if rng.random() < 0.2:
        return _hashed(rng, rng.choice(["db1", "[db1]:2222", "10.0.0.5", "[127.0.0.1]:2222"]))
    return ",".join(rng.sample(plain, rng.randint(1, 3)))


def _file(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 6)):
        marker = rng.choice(["", "", "@revoked ", "@cert-authority "])
        lines.append(f"{marker}{_names(rng)} {rng.choice(KEYS)}")
    return "\n".join(lines) + "\n"


def _before(text: str, host: str, addr: str, port: int | None) -> tuple[frozenset[bytes], ...]:
    """The definition, asyncssh's own reading and matching of the file (no empty name in these): its lookups under the name
    alone and with the address, and the revocations under the port."""
    known = asyncssh.SSHKnownHosts(text)
    by_name, by_address = known.match(host, "", port), known.match(host, addr, port)
    under_port = known._match(host, addr, port)[2] if port else []
    return _keys((*by_name[:2], [*by_name[2], *by_address[2], *under_port], *by_name[3:]))


def _keys(found: tuple[object, ...]) -> tuple[frozenset[bytes], ...]:
    return tuple(frozenset(getattr(item, "public_data", repr(item)) for item in part) for part in found)  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", range(60))
def test_each_lookup_answers_as_the_name_and_address_lookups_did(seed: int) -> None:
    rng = random.Random(seed)
    text = _file(rng)
    known = KnownByName()
    known.load(text)
    for host, addr, port in LOOKUPS:
        assert _keys(known.match(host, addr, port)) == _before(text, host, addr, port), (text, host, addr, port)


def test_an_address_connected_to_is_looked_up_once() -> None:
    """An IP address connected to (the name is the address): one pass over the lines, where there were three."""
    known = KnownByName()
    known.load(f"[10.0.0.5]:2222 {KEYS[0]}\n@revoked * {KEYS[1]}\n")
    passes: list[tuple[str, str, int | None]] = []
    real = known._match

    def counted(host: str, addr: str, port: int | None = None) -> object:
        passes.append((host, addr, port))
        return real(host, addr, port)

    known._match = counted  # type: ignore[method-assign,assignment]
    found = known.match("10.0.0.5", "10.0.0.5", 2222)
    assert [k.public_data for k in found[0]] == [asyncssh.import_public_key(KEYS[0]).public_data]
    assert {k.public_data for k in found[2]} == {asyncssh.import_public_key(KEYS[1]).public_data}
    assert passes == [("10.0.0.5", "", 2222)], passes
