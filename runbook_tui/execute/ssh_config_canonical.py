"""`CanonicalizeHostname`: the name ssh connects to, and reads the config again for, as OpenSSH's `resolve_canonicalize`.

With it on, ssh tries the host's name (its HostName, when the config gives one) with each of `CanonicalDomains` in turn
(`db` -> `db.corp.example.`), takes the first this machine resolves, then reads the whole config a second time with
that name: a `Host *.corp.example` block (its ProxyJump, its User) applies to `ssh db`. Not for an address, a name with
more dots than `CanonicalizeMaxDots` (1), nor one reached through a ProxyJump or ProxyCommand (the bastion resolves it)
unless `always`; a name no domain gives is used as it is, unless `CanonicalizeFallbackLocal no` (then ssh refuses it).
`CanonicalizePermittedCNAMEs` (`*.a.example:*.b.example`) follows a CNAME the resolver gives, as ssh follows it.
Before, all of these were ignored: `ssh db` went through the bastion a `Host *.corp.example` block names, and runbook-tui
connected directly, as another user.
"""

from __future__ import annotations

import ipaddress
import socket

from asyncssh.config import SSHClientConfig
from asyncssh.pattern import WildcardPatternList

from runbook_tui.execute.ssh_config_values import proxy_option


class NotCanonical(Exception):
    """`CanonicalizeFallbackLocal no`, and no domain gives the name: ssh refuses to connect (`Could not resolve host`)."""


def _resolved(name: str, port: int) -> str | None:
    """The name the resolver gives for `name` (its CNAME target, or itself), or None when it does not resolve."""
    try:
        found = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM, flags=socket.AI_CANONNAME)
    except (OSError, UnicodeError):
        return None
    return next((info[3] for info in found if info[3]), name).rstrip(".")


def _followed(name: str, cname: str, rules: object) -> str:
    """`name`, or the CNAME target `cname` when a `CanonicalizePermittedCNAMEs` rule (`FROM:TO`, each a pattern list) allows it."""
    for rule in rules if isinstance(rules, list) else ():
        source, _, target = str(rule).partition(":")
        if cname.lower() != name.lower() and WildcardPatternList(source).matches(name) and WildcardPatternList(target).matches(cname.lower()):
            return cname.lower()
    return name


def canonical_host(config: SSHClientConfig, alias: str, port: int, *, proxied: bool) -> str | None:
    """The canonical name ssh gives the host `alias` (the first reading's `config`), or None when it leaves it as it is;
    `proxied`: the runbook's `via:` reaches it (as `ssh -J`). `NotCanonical` when ssh refuses it."""
    mode = config.get("CanonicalizeHostname")
    host = str(config.get("Hostname") or alias).lower()
    try:
        ipaddress.ip_address(host)
        return None  # an address: ssh never canonicalizes it
    except ValueError:
        pass
    _, proxy = proxy_option(config._options) or ("", "none")
    if not mode or ((proxied or proxy.strip().lower() != "none") and mode != "always"):
        return None
    rules = config.get("CanonicalizePermittedCNAMEs")
    if host.endswith("."):
        tried = [host]
    elif host.count(".") > int(config.get("CanonicalizeMaxDots", 1)):  # type: ignore[call-overload]
        return None  # ssh: "not canonicalizing hostname (max dots)"
    else:
        tried = []
        for domain in config.get("CanonicalDomains") or ():  # type: ignore[attr-defined]
            if str(domain).lower() == "none":
                break
            tried.append(f"{host}.{domain}.")
    for name in tried:
        if (cname := _resolved(name, port)) is not None:
            return _followed(name.rstrip("."), cname, rules)
    if config.get("CanonicalizeFallbackLocal") is False:
        raise NotCanonical(f'ssh: Could not resolve host "{host}" with any of its CanonicalDomains ({", ".join(tried) or "none"})')
    if rules and (cname := _resolved(host, port)) is not None:  # ssh follows a permitted CNAME of the name as it is, too
        followed = _followed(host, cname, rules)
        return followed if followed != host else None
    return None
