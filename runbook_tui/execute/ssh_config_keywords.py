"""The keywords OpenSSH's client knows, and the refusal of a config holding one it does not, as ssh refuses it.

ssh reads every line of every config file it reads, whichever `Host` or `Match` block the line is in, and refuses the
whole config for a keyword it does not know (`Bad configuration option: proxyjmp`, then `terminating`), unless a pattern
of `IgnoreUnknown` names it. asyncssh skips any keyword it has no use for: a typo'd `ProxyJump` went unnoticed and the
host was reached directly, a route `ssh NAME` refuses to take. Keywords ssh knows and runbook-tui does not act on
(`SendEnv`, `ControlMaster`, the deprecated `Protocol`...) are accepted, as ssh accepts them.

`IgnoreUnknown` is honoured wherever it stands in the files read: ssh takes only its first value, read in a block that
applies, for the lines after it; a config that leans on more is accepted here where ssh might refuse it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from fnmatch import fnmatchcase

from asyncssh.config import ConfigParseError

from runbook_tui.execute.ssh_config_lines import without_comment

#: Keywords other builds of ssh know and Debian 12's (OpenSSH 9.2) does not: those OpenSSH added since, and macOS's
#: `UseKeychain`. A config holding one is read there, so it is not refused here.
ELSEWHERE = frozenset({"ChannelTimeout", "Tag", "ObscureKeystrokeTiming", "RefuseConnection", "VersionAddendum", "WarnWeakCrypto", "UseKeychain"})

#: Every keyword of ssh_config(5), the aliases and deprecated or unsupported names readconf.c still accepts, and the
#: extensions of the ssh that Debian and Fedora ship (GSSAPI key exchange), as written in the manual.
KEYWORDS = frozenset(
    {
        *ELSEWHERE,
        *"""AddKeysToAgent AddressFamily BatchMode BindAddress BindInterface CASignatureAlgorithms CanonicalDomains
        CanonicalizeFallbackLocal CanonicalizeHostname CanonicalizeMaxDots CanonicalizePermittedCNAMEs CertificateFile
        CheckHostIP Ciphers ClearAllForwardings Compression ConnectTimeout ConnectionAttempts ControlMaster ControlPath
        ControlPersist DynamicForward EnableEscapeCommandline EnableSSHKeysign EscapeChar ExitOnForwardFailure
        FingerprintHash ForkAfterAuthentication ForwardAgent ForwardX11 ForwardX11Timeout ForwardX11Trusted
        GSSAPIAuthentication GSSAPIClientIdentity GSSAPIDelegateCredentials GSSAPIKexAlgorithms GSSAPIKeyExchange
        GSSAPIRenewalForcesRekey GSSAPIServerIdentity GSSAPITrustDns GatewayPorts GlobalKnownHostsFile HashKnownHosts Host
        HostKeyAlgorithms HostKeyAlias HostbasedAcceptedAlgorithms HostbasedAuthentication Hostname IPQoS IdentitiesOnly
        IdentityAgent IdentityFile IgnoreUnknown Include KbdInteractiveAuthentication KbdInteractiveDevices KexAlgorithms
        KnownHostsCommand LocalCommand LocalForward LogLevel LogVerbose MACs Match NoHostAuthenticationForLocalhost
        NumberOfPasswordPrompts PKCS11Provider PasswordAuthentication PermitLocalCommand PermitRemoteOpen Port
        PreferredAuthentications ProxyCommand ProxyJump ProxyUseFdpass PubkeyAcceptedAlgorithms PubkeyAuthentication
        RekeyLimit RemoteCommand RemoteForward RequestTTY RequiredRSASize RevokedHostKeys SecurityKeyProvider SendEnv
        ServerAliveCountMax ServerAliveInterval SessionType SetEnv StdinNull StreamLocalBindMask StreamLocalBindUnlink
        StrictHostKeyChecking SyslogFacility TCPKeepAlive Tunnel TunnelDevice UpdateHostKeys User UserKnownHostsFile
        VerifyHostKeyDNS VisualHostKey XAuthLocation
        AFSTokenPassing ChallengeResponseAuthentication Cipher CompressionLevel DSAAuthentication FallBackToRsh
        GlobalKnownHostsFile2 HostbasedKeyTypes IdentityFile2 KeepAlive KerberosAuthentication KerberosTGTPassing Protocol
        ProtocolKeepAlives PubkeyAcceptedKeyTypes RSAAuthentication RhostsAuthentication RhostsRSAAuthentication
        SetupTimeOut SkeyAuthentication SmartcardDevice TISAuthentication UseBlacklistedKeys UsePrivilegedPort
        UseRoaming UseRsh UserKnownHostsFile2""".split(),
    }
)

_KNOWN = {keyword.lower(): keyword for keyword in KEYWORDS}

#: A line's keyword, as ssh splits it off (at blanks or `=`), and where it starts.
_FIRST = re.compile(r"[ \t]*([^\s=]+)")


def _ignored(keyword: str, patterns: Iterable[str]) -> bool:
    """Whether `IgnoreUnknown`'s comma-separated patterns name `keyword` (case aside, `!` negating), as ssh matches them."""
    named = False
    for pattern in (p.strip().lower() for each in patterns for p in each.split(",") if p.strip()):
        if fnmatchcase(keyword.lower(), pattern.lstrip("!")):
            if pattern.startswith("!"):
                return False
            named = True
    return named


def _keywords(path: str) -> list[tuple[int, int, str, str]]:
    """Each line's (line, column, keyword, rest) in the file at `path`, comments and blank lines left out."""
    found = []
    with open(path, encoding="utf-8", errors="replace") as text:
        for number, line in enumerate(text, start=1):
            word = _FIRST.match(cleaned := without_comment(line))
            if word is not None:
                found.append((number, word.start(1) + 1, word[1], cleaned[word.end(1) :].strip(" \t=\r\n").replace('"', "")))
    return found


def check_keywords(paths: Iterable[str]) -> None:
    """`ConfigParseError` at the first keyword of the files at `paths` that OpenSSH does not know (nor `IgnoreUnknown`
    names), as `FILE:LINE:COL: Bad configuration option 'WORD'`, with the keyword meant when one is close; or at a
    keyword it knows written without a value."""
    lines = {path: _keywords(path) for path in paths}
    ignored = [rest for found in lines.values() for _, _, keyword, rest in found if keyword.lower() == "ignoreunknown"]
    for path, found in lines.items():
        for number, column, keyword, rest in found:
            if keyword.lower() in _KNOWN and not rest:  # every keyword takes a value; asyncssh said so only where it applied
                raise ConfigParseError(
                    f"{path}:{number}:{column}: no value after keyword {keyword!r}: ssh refuses the whole config for it, whichever host its block is for"
                )
            if keyword.lower() in _KNOWN or _ignored(keyword, ignored):
                continue
            close = difflib.get_close_matches(keyword.lower(), _KNOWN, n=1, cutoff=0.75)
            meant = f"; did you mean {_KNOWN[close[0]]}?" if close else ""
            raise ConfigParseError(
                f"{path}:{number}:{column}: Bad configuration option {keyword!r}: not a keyword OpenSSH knows, and ssh refuses the"
                f" whole config for it, whichever host its block is for{meant} (a keyword of another ssh: name it in IgnoreUnknown)"
            )
