"""The algorithm lists of an ssh config (`Ciphers`, `MACs`, `KexAlgorithms`, `HostKeyAlgorithms` and the other key-type
lists) checked as ssh checks them on every line, whichever host its block is for (readconf.c), and refuses the whole
config for: each name of the list, after a `+` or `^` prefix, must be one ssh knows (a `-` list is never checked); the
key-type lists also take a `*`/`?` pattern that matches a name ssh knows, and either after a `!`. The names are OpenSSH 9.2's (`ssh -Q cipher`,
`mac`, `kex`, `key-sig`) and those a newer ssh added, so a config written for a newer ssh is not refused for them.
"""

from __future__ import annotations

import re

_CIPHERS = frozenset(
    """3des-cbc aes128-cbc aes192-cbc aes256-cbc aes128-ctr aes192-ctr aes256-ctr aes128-gcm@openssh.com
    aes256-gcm@openssh.com chacha20-poly1305@openssh.com""".split()
)
_MACS = frozenset(
    """hmac-sha1 hmac-sha1-96 hmac-sha2-256 hmac-sha2-512 hmac-md5 hmac-md5-96 umac-64@openssh.com umac-128@openssh.com
    hmac-sha1-etm@openssh.com hmac-sha1-96-etm@openssh.com hmac-sha2-256-etm@openssh.com hmac-sha2-512-etm@openssh.com
    hmac-md5-etm@openssh.com hmac-md5-96-etm@openssh.com umac-64-etm@openssh.com umac-128-etm@openssh.com""".split()
)
_KEX = frozenset(
    """diffie-hellman-group1-sha1 diffie-hellman-group14-sha1 diffie-hellman-group14-sha256 diffie-hellman-group16-sha512
    diffie-hellman-group18-sha512 diffie-hellman-group-exchange-sha1 diffie-hellman-group-exchange-sha256
    ecdh-sha2-nistp256 ecdh-sha2-nistp384 ecdh-sha2-nistp521 curve25519-sha256 curve25519-sha256@libssh.org
    sntrup761x25519-sha512 sntrup761x25519-sha512@openssh.com mlkem768x25519-sha256""".split()  # the last: OpenSSH 9.9
)
_KEY_TYPES = frozenset(
    """ssh-ed25519 ssh-ed25519-cert-v01@openssh.com sk-ssh-ed25519@openssh.com sk-ssh-ed25519-cert-v01@openssh.com
    ecdsa-sha2-nistp256 ecdsa-sha2-nistp256-cert-v01@openssh.com ecdsa-sha2-nistp384 ecdsa-sha2-nistp384-cert-v01@openssh.com
    ecdsa-sha2-nistp521 ecdsa-sha2-nistp521-cert-v01@openssh.com sk-ecdsa-sha2-nistp256@openssh.com
    sk-ecdsa-sha2-nistp256-cert-v01@openssh.com webauthn-sk-ecdsa-sha2-nistp256@openssh.com ssh-dss
    ssh-dss-cert-v01@openssh.com ssh-rsa ssh-rsa-cert-v01@openssh.com rsa-sha2-256 rsa-sha2-256-cert-v01@openssh.com
    rsa-sha2-512 rsa-sha2-512-cert-v01@openssh.com""".split()
)

_KEY_WORDS = "Bad key types '{}'"
#: Each list keyword (lower case): ssh's words for a list it refuses, the names it knows, whether a pattern may name them.
LISTS: dict[str, tuple[str, frozenset[str], bool]] = {
    "ciphers": ("Bad SSH2 cipher spec '{}'", _CIPHERS, False),
    "macs": ("Bad SSH2 MAC spec '{}'", _MACS, False),
    "kexalgorithms": ("Bad SSH2 KexAlgorithms '{}'", _KEX, False),
    **dict.fromkeys(
        """hostkeyalgorithms pubkeyacceptedalgorithms pubkeyacceptedkeytypes hostbasedacceptedalgorithms hostbasedkeytypes
        casignaturealgorithms""".split(),
        (_KEY_WORDS, _KEY_TYPES, True),
    ),
}


def _known(name: str, names: frozenset[str], patterns: bool) -> bool:
    if not patterns:
        return name in names
    name = name.removeprefix("!")  # a key type ssh knows, or a pattern matching one, negated
    pattern = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in name))
    return any(pattern.fullmatch(known) for known in names)


def list_refusal(keyword: str, value: str) -> str | None:
    """What ssh says of the list `value` for the (lower-case) `keyword` in `LISTS`, with what it takes; None when it reads it."""
    words, names, patterns = LISTS[keyword]
    if value.startswith("-"):
        return None
    listed = value[1:] if value[:1] in ("+", "^") else value
    unknown: str | None = None if listed else listed
    for name in listed.split(","):
        if not name:
            break  # ssh stops reading the list at an empty name (`a,,b`)
        if not _known(name, names, patterns):
            unknown = name
            break
    if unknown is None:
        return None
    said = words.format(value)
    if not unknown:
        return f"{said}: expected a comma-separated list of names after the {value}"
    return f"{said}: {unknown!r} is no algorithm ssh knows (ssh -Q lists them; a list may start with +, - or ^)"
