"""The values ssh checks on every line of a config, whichever host its block is for, and refuses the whole config for.

ssh parses each line's value before it asks whether the line's block applies (readconf.c), so `StrictHostKeyChecking
maybe` under `Host other` refuses `ssh db1` too (`unsupported option "maybe"`, then `terminating`). asyncssh reads only
the blocks that apply, and only the options it knows: such a line elsewhere was skipped, and the run went on with a
config `ssh NAME` refuses. Checked here, as OpenSSH 9.2 checks them (the real `ssh -G` is the judge in the tests):
yes/no flags and the other word choices, times, integers, `Port`, `ProxyJump`, `LogLevel`, `SyslogFacility`,
`FingerprintHash`, algorithm lists (ssh_config_algorithms), a `Match all` with other conditions, a `Match`
condition's empty pattern, forwardings (ssh_config_forwards), and a keyword of one
value given more.
"""

from __future__ import annotations

import re
import shlex

from asyncssh.config import ConfigParseError

from runbook_tui.execute.ssh_config_algorithms import LISTS, list_refusal
from runbook_tui.execute.ssh_config_forwards import KEYWORDS as FORWARDS
from runbook_tui.execute.ssh_config_forwards import forward_refusal
from runbook_tui.execute.ssh_config_lines import without_comment
from runbook_tui.execute.ssh_config_values import PORT_WORDS, jump_parts, service_port

_YES_NO = ("yes", "no", "true", "false")

#: The keywords whose value is one word of a list (ssh's `multistate_*` tables, case aside), as `unsupported option`.
CHOICES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        """batchmode canonicalizefallbacklocal challengeresponseauthentication checkhostip clearallforwardings
        enableescapecommandline enablesshkeysign exitonforwardfailure forkafterauthentication forwardx11 forwardx11trusted
        gatewayports gssapiauthentication gssapidelegatecredentials gssapikeyexchange gssapirenewalforcesrekey gssapitrustdns
        hashknownhosts hostbasedauthentication identitiesonly kbdinteractiveauthentication keepalive
        nohostauthenticationforlocalhost passwordauthentication permitlocalcommand proxyusefdpass stdinnull
        streamlocalbindunlink tcpkeepalive visualhostkey""".split(),
        _YES_NO,
    ),
    "compression": ("yes", "no"),
    "stricthostkeychecking": (*_YES_NO, "ask", "accept-new", "off"),
    "verifyhostkeydns": (*_YES_NO, "ask"),
    "updatehostkeys": (*_YES_NO, "ask"),
    "addressfamily": ("inet", "inet6", "any"),
    "controlmaster": (*_YES_NO, "auto", "ask", "autoask"),
    "requesttty": (*_YES_NO, "force", "auto"),
    "tunnel": (*_YES_NO, "ethernet", "point-to-point"),
    "canonicalizehostname": (*_YES_NO, "always"),
    "pubkeyauthentication": (*_YES_NO, "unbound", "host-bound"),
    "sessiontype": ("none", "subsystem", "default"),
    "fingerprinthash": ("md5", "sha1", "sha256", "sha384", "sha512"),
    "loglevel": ("quiet", "fatal", "error", "info", "verbose", "debug", "debug1", "debug2", "debug3"),
    "syslogfacility": ("daemon", "user", "auth", "authpriv", *(f"local{n}" for n in range(8))),
}

#: ssh's words for a value not in the list, by keyword (else `unsupported option "VALUE"`).
_CHOICE_WORDS = {
    "fingerprinthash": 'Invalid hash algorithm "{}"',
    "loglevel": "unsupported log level '{}'",
    "syslogfacility": "unsupported log facility '{}'",
}

#: Times (`parse_time`: seconds, or `1m30s`; `none`), and integers from 0 (`parse_int`).
TIMES = frozenset({"connecttimeout", "serveraliveinterval", "forwardx11timeout"})
INTEGERS = frozenset({"connectionattempts", "numberofpasswordprompts", "serveralivecountmax", "canonicalizemaxdots", "requiredrsasize"})

#: Keywords of one value that ssh refuses more for (`extra arguments at end of line`); those above too.
SINGLE = frozenset(
    {
        *CHOICES,
        *TIMES,
        *INTEGERS,
        *LISTS,
        *"""hostname user port hostkeyalias identityfile certificatefile identityagent forwardagent revokedhostkeys
        ignoreunknown controlpath bindaddress bindinterface xauthlocation preferredauthentications pkcs11provider
        securitykeyprovider kbdinteractivedevices""".split(),
    }
)

_INT_MAX = 2**31 - 1

#: A line's keyword and the rest, as ssh splits them (`Port 22`, `Port=22`, `Port = 22`).
_KEYWORD = re.compile(r"(\s*)([A-Za-z0-9]+)(?:\s*=\s*|\s+)(.*)")

#: One term of a time (`convtime`): a number, then a unit or none.
_TIME_TERM = re.compile(r"\s*[+-]?(\d+)([sSmMhHdDwW]?)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def seconds(value: str) -> int | None:
    """`value` as ssh's `convtime` reads it (`90`, `1m30s`, `2h`), in seconds; None when ssh refuses it."""
    total, at = 0, 0
    while at < len(value):
        term = _TIME_TERM.match(value, at)
        if term is None or (term[0].lstrip().startswith("-") and int(term[1])):
            return None
        total += int(term[1]) * _UNITS[term[2].lower()]
        if total > _INT_MAX:
            return None
        at = term.end()
    return total if value else None


def _integer_words(value: str) -> str | None:
    """ssh's `integer value …` refusal for `value` (`strtonum` from 0 to INT_MAX), or None."""
    if re.fullmatch(r"\s*[+-]?\d+", value) is None:
        return "integer value invalid"
    number = int(value)
    return "integer value too small" if number < 0 else "integer value too large" if number > _INT_MAX else None


def _refusal(keyword: str, value: str) -> str | None:
    """What ssh says of `value` for the (lower-case) `keyword`, with what it takes; None when ssh reads it."""
    if keyword in CHOICES and value.lower() not in CHOICES[keyword]:
        takes = CHOICES[keyword]
        said = _CHOICE_WORDS.get(keyword, 'unsupported option "{}"').format(value)
        return f"{said}: expected {', '.join(takes[:-1])} or {takes[-1]}"
    if keyword in TIMES and value.lower() != "none" and seconds(value) is None:
        return f"invalid time value {value!r}: expected seconds, or a time such as 30s, 5m or 1h30m (or none)"
    if keyword in INTEGERS and (wrong := _integer_words(value)) is not None:
        return f"{wrong} ({value!r}): expected a whole number from 0 to {_INT_MAX}"
    if keyword == "port" and not (0 < int(value) < 65536 if value.isdigit() else service_port(value) is not None):
        return f"Bad port {value!r}: {PORT_WORDS}"
    if keyword in LISTS:
        return list_refusal(keyword, value)
    hops = [hop for hop in value.split(",") if hop] if value.lower() != "none" else []
    if keyword == "proxyjump" and not all(jump_parts(hop) for hop in hops):
        return f"Invalid ProxyJump {value!r}: expected [user@]host[:port], comma-separated"
    return None


def _ssh_words(value: str, words: list[str]) -> list[str]:
    """The words of `value` as ssh's `argv_split` gives them where shlex took a backslash away: ssh keeps one before a
    character other than a quote, a backslash or a space (`a\\:b` stays `a\\:b`, an escaped `:` in a forwarding)."""
    return value.split() if "\\" in value and not any(quote in value for quote in "'\"") else words


def _match_refusal(words: list[str]) -> str | None:
    """ssh's refusal of a `Match` line (readconf.c `match_cfg_line`): `all` stands alone, or after one other condition
    (`Match user x all`, `Match final all`), and a condition's pattern is no empty word and starts with no `#`."""
    words = [part for word in words for part in (word.split("=", 1) if re.fullmatch(r"!?[A-Za-z]+=.*", word) else [word])]
    conditions, at = 0, 0
    while at < len(words) and not words[at].startswith("#"):
        condition = words[at].removeprefix("!").lower()
        if condition == "all":
            if conditions > 1 or (at + 1 < len(words) and not words[at + 1].startswith("#")):
                return f"{words[at]!r} cannot be combined with other Match attributes: expected Match all alone, or after one condition"
            return None
        conditions += 1
        if condition not in ("canonical", "final") and at + 1 < len(words) and words[at + 1][:1] in ("", "#"):
            return f"Missing Match criteria for {condition}: expected a pattern after it (an empty or #-word is none)"
        at += 1 if condition in ("canonical", "final") else 2
    return None


def check_everywhere(path: str) -> None:
    """Every value of the file ssh checks (see the module), whichever host its block is for; `ConfigParseError` at the first
    it refuses, as `FILE:LINE:COL: ssh's words: what it takes; ssh refuses the whole config for it`."""
    with open(path, encoding="utf-8", errors="replace") as text:
        for number, line in enumerate(text, start=1):
            found = _KEYWORD.match(without_comment(line).rstrip("\r\n"))  # a `don't` in a comment is no open quote
            keyword = found[2].lower() if found else ""
            if found is None or (keyword not in SINGLE and keyword not in ("proxyjump", "match", *FORWARDS)):
                continue
            try:
                words = shlex.split(found[3])
            except ValueError:  # an open quote: asyncssh says so where the line applies
                continue
            if not words:
                continue  # no value: ssh_config_keywords says so
            said = (
                _match_refusal(words)
                if keyword == "match"
                else forward_refusal(keyword, _ssh_words(found[3], words))
                if keyword in FORWARDS
                else _refusal(keyword, words[0])
            )
            if said is None and len(words) > 1 and keyword in SINGLE:
                said = f"keyword {found[2]} extra arguments at end of line ({' '.join(words[1:])!r}): expected one value"
            if said is not None:
                raise ConfigParseError(f"{path}:{number}:{found.start(3) + 1}: {said}; ssh refuses the whole config for it, whichever host its block is for")
