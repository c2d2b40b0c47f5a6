"""The `hosts:` section: groups of host entries, `{hosts: [...], via: B}` groups, `{from_param: NAME}` groups.

Read for the loader (which adds `local` and checks group names against host
names); each `via` (a host's, or its group's for hosts naming none) is
linked to the entry it names by `BastionLinks`.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from runbook_tui.runbook import field_table as T
from runbook_tui.runbook import lazy_re
from runbook_tui.runbook.bastions import BastionLinks
from runbook_tui.runbook.diagnostics import Collector
from runbook_tui.runbook.document import YMap
from runbook_tui.runbook.fields import Fields, describe
from runbook_tui.runbook.load_base import written_at
from runbook_tui.runbook.model import LOCAL, Host, Mark, Param
from runbook_tui.runbook.templating import is_template

#: An address of digits and dots only: an IPv4 address, or a typo of one (no host name is all digits).
_DOTTED_NUMBERS = lazy_re.compile(r"[0-9]+(\.[0-9]+)*")


class HostEntries:
    """Reads host groups with the loader's field readers; `plain` renders a string field at load."""

    def __init__(self, fields: Fields, diags: Collector, plain: Callable[[YMap, str], str | None]) -> None:
        self.fields = fields
        self.diags = diags
        self.plain = plain

    def groups(
        self, entries: list[tuple[str, Any, Mark, Mark]], params: tuple[Param, ...], values: dict[str, Any] | None, bound: dict[str, Any]
    ) -> dict[str, tuple[Host, ...]]:
        """The groups of `hosts:` (without `local`), bastions linked; `values` None: the parameters are broken (said), and a
        list parameter's group is still built from its own value in `bound` (every value that bound), so the load names an
        empty group with a missing parameter at once, not one after the other."""
        self._rendered = values is not None
        groups: dict[str, tuple[Host, ...]] = {}
        links = BastionLinks(self.diags)
        self._declared: dict[str, tuple[Host, str | None, str]] = {}
        from_param: dict[str, tuple[str, Mark] | None] = {}
        for group, value, key_mark, value_mark in entries:
            if group == LOCAL:
                self.diags.error(key_mark, "'local' is always defined (this machine); expected another group name")
                continue
            if (problem := word_problem("group name", group)) is not None:  # `on:` names it, every screen shows it
                self.diags.error(key_mark, problem)
            via: tuple[str, Mark] | None = None
            if isinstance(value, YMap) and "hosts" not in value:
                groups[group] = self._hosts_from_param(group, value, params, bound)
                from_param[group] = self._group_via(value)
                continue
            if isinstance(value, YMap):
                self.fields.keys(value, f"group '{group}'", T.GROUP.keys, T.GROUP.required)
                via = self._group_via(value)
                value, value_mark = value["hosts"], value.value_mark("hosts")
            items = self.fields.sequence(value, value_mark, f"group '{group}': a list of hosts, {{hosts: [...], via: BASTION}} or {{from_param: NAME}}")
            if items is not None and not items:
                self.diags.error(value_mark, f"group '{group}' has no hosts; expected at least one host entry")
            hosts = (
                [(self._host(item, mark, group, links, via), written_at(item, mark, "name")) for item, mark in zip(items, items.item_marks)] if items else []
            )
            groups[group] = self._distinct(group, [(h, where) for h, where in hosts if h is not None])
        for group, via in from_param.items():
            # A name a host entry declares is that entry (its address, user, port, own via), not a new host
            # reached at the bare name: `-p web_hosts=db1` runs where `on: db1` runs. The group's via is for the rest.
            groups[group] = tuple(self._declared[h.name][0] if h.name in self._declared else h for h in groups[group])
            for host in groups[group]:
                if via is not None and host.name not in self._declared:
                    links.want(host.name, *via)
        return links.resolve(groups)

    def _declare(self, host: Host, via: str | None, group: str) -> None:
        """One host entry per name: a second entry of a name that differs (another address, user, port, via...) is
        refused; `on: db1`, the journal and the undo list name hosts by name, and took the first entry's address for
        one group's steps and the second's for another's. The same entry again (a YAML alias `*db1`) is fine."""
        first = self._declared.get(host.name)
        if first is None:
            self._declared[host.name] = (host, via, group)
            return
        if first[2] != group and (replace(first[0], mark=host.mark), first[1]) != (host, via):  # (in one group: a duplicate)
            self.diags.error(
                host.mark,
                f"host {describe(host.name)} is declared again with other fields (first at line {first[0].mark.line}); "
                "expected one entry per host name (reuse it in another group with a YAML anchor: &db1 ... *db1)",
            )

    def _hosts_from_param(self, group: str, m: YMap, params: tuple[Param, ...], values: dict[str, Any]) -> tuple[Host, ...]:
        self.fields.keys(m, f"group '{group}'", T.FROM_PARAM.keys, T.FROM_PARAM.required)
        name = self.fields.string(m, "from_param")
        param = next((p for p in params if p.name == name), None)
        if name is not None and (param is None or param.type != "list"):
            self.diags.error(m.value_mark("from_param"), f"from_param: expected the name of a declared list parameter, got {name!r}")
            return ()
        if name is None or param is None or name not in values:  # (a value that did not bind is said as such)
            return ()
        names = values.get(name) or []
        if not names:
            self.diags.error(param.mark, f"parameter '{name}' gives group '{group}' no hosts; expected at least one host name (-p {name}=HOST1,HOST2)")
            return ()
        hosts: dict[str, Host] = {}
        for host_name in names:
            problem = host_name_problem(host_name)
            if problem is None and host_name in hosts:
                problem = f"duplicate host {describe(host_name)}; expected each host once"
            if problem is not None:
                self.diags.error(param.mark, f"parameter '{name}' (the hosts of group '{group}'): {problem}")
                continue
            hosts[host_name] = Host(host_name, host_name, m.value_mark("from_param"))
        return tuple(hosts.values())

    def _distinct(self, group: str, hosts: list[tuple[Host, Mark]]) -> tuple[Host, ...]:
        """The hosts of a group, each name once: a second entry of a name would run every step on that host twice (said
        at the second's name)."""
        seen: set[str] = set()
        distinct = []
        for host, name_mark in hosts:
            if host.name in seen:
                self.diags.error(name_mark, f"group '{group}': duplicate host {describe(host.name)}; expected each host once")
                continue
            seen.add(host.name)
            distinct.append(host)
        return tuple(distinct)

    def _group_via(self, m: YMap) -> tuple[str, Mark] | None:
        via = self.plain(m, "via")
        return None if via is None else (via, m.value_mark("via"))

    def _host(self, value: Any, mark: Mark, group: str, links: BastionLinks, group_via: tuple[str, Mark] | None) -> Host | None:
        f = self.fields
        m = f.shaped(value, mark, f"a host of group '{group}' ({{name, address, port, user}})", T.HOST, f"a host of group '{group}'")
        if m is None:
            return None
        name = self.plain(m, "name")
        if name is None:
            return None
        problem = host_name_problem(name) if self._judged(m, "name") else None
        if problem is not None:
            self.diags.error(m.value_mark("name"), problem)
        address, user = self._word(m, "address", "host address"), self._word(m, "user", "user name")
        host_vars = f.mapping(m["vars"], m.value_mark("vars"), "vars") if "vars" in m else None
        via = self._group_via(m) or group_via
        if via is not None:
            links.want(name, *via)
        host = Host(
            name=name,
            address=address or name,
            mark=mark,
            port=f.integer(m, "port", 22, 1, 65535),
            user=user,
            identity=self._identity(m),
            vars=() if host_vars is None else tuple((key, self._var(host_vars, key)) for key in host_vars),
            forward_agent=f.boolean(m, "forward_agent"),
            given=frozenset(k for k in ("address", "port", "user", "identity") if k in m),
        )
        self._declare(host, None if via is None else via[0], group)
        return host

    def _identity(self, m: YMap) -> str | None:
        """`identity:`, rendered; a blank one is refused: it read as given by the runbook (over ~/.ssh/config's
        IdentityFile) while naming no key."""
        value = self.plain(m, "identity")
        if value is not None and not value.strip():
            self.diags.error(m.value_mark("identity"), "an empty identity; expected the path of a private key file, or the key left out")
        return value

    def _var(self, host_vars: YMap, key: str) -> Any:
        """A var as `host.KEY` reads it: a string is a template, rendered from params at load as the host's fields are
        (`role: "r-{{ cluster }}"` reached the command as the text `r-{{ cluster }}`)."""
        if isinstance(host_vars[key], str):
            return self.plain(host_vars, key)
        return _as_written_number(host_vars, key)

    def _word(self, m: YMap, key: str, what: str) -> str | None:
        """A host field that is one word (address, user), rendered; an error at its place when it is not one."""
        value = self.plain(m, key)
        problem = None if value is None or not self._judged(m, key) else word_problem(what, value) or (address_problem(value) if key == "address" else None)
        if problem is not None:
            self.diags.error(m.value_mark(key), problem)
        return value

    def _judged(self, m: YMap, key: str) -> bool:
        """Whether a field's value is checked: not a template left unrendered because the parameters are broken (their
        error is said; `host name '{{ replica }}' has a space` beside it was not the author's mistake)."""
        return self._rendered or not is_template(str(m[key]))


def _as_written_number(host_vars: YMap, key: str) -> Any:
    """A var as a template reads it: a number YAML 1.1 reads otherwise than it is written (`0644` is 420, `15.10` is
    15.1, `12:30:00` is 45000) keeps the text written, as text fields do; booleans keep YAML's reading (`no` stays
    false: as text it would be true in an `{% if %}`)."""
    value = host_vars[key]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return host_vars.as_written(key)
    return value


#: What ssh refuses in a host name (its `valid_hostname`: `hostname contains invalid characters`), beside spaces and
#: control characters: a shell reads them, and an ssh config's `Match exec "nc -z %h 22"` runs a shell with the name in it.
SHELL_READS = frozenset("'`\"$\\;&<>|(){}")


def host_name_problem(name: str) -> str | None:
    """What is wrong with a host name (a static entry's or one from a parameter), or None. `validate` refuses what the
    connection would (execute/ssh_config.py): a parameter's `x;id` passed it, to be refused only as the step ran."""
    if name == LOCAL:
        return "host name 'local' is reserved for this machine; expected another name"
    if not name:
        return "an empty host name; expected a name"
    if (problem := word_problem("host name", name)) is not None:
        return problem
    if "," in name:  # every list of hosts (the plan's `on web (a1, a2)`, -p, the report) parts names at commas
        return (
            f"host name {describe(name)} holds ',', which parts one host from the next in every list of them; expected one"
            " host name (a list parameter read from a file takes one host per line)"
        )
    if "@" in name:  # a name is the address when none is given, and the alias ssh config is read for: never `user@`
        user, _, host = name.rpartition("@")
        return (
            f"host name {describe(name)} holds '@': ssh would read it as the user {user} on {host}, and a host name is the host"
            f" alone; expected the name alone ({host}), the user in user: (or the ssh config's User)"
        )
    shell = next((char for char in name if char in SHELL_READS), None)
    if shell is not None:
        return (
            f"host name {describe(name)} holds {shell!r}, which a shell reads (an ssh config's `Match exec` runs one with"
            " the name in it; ssh refuses such a name); expected a host name"
        )
    return None


def is_host_name(address: str) -> bool:
    """Whether a connection could use `address`: a name idna encodes (no part between dots empty or over 63
    characters), or an IP address. The one check behind a host's address and a URL's host at `validate`."""
    name = address.strip("[]")
    if name.isascii():  # the idna codec's own test of an ASCII name, without importing the codec (and stringprep: ~1 ms a load)
        *labels, last = name.split(".")
        return all(0 < len(label) < 64 for label in labels) and len(last) < 64
    try:
        name.encode("idna")
    except UnicodeError:
        return False
    return True


def address_problem(address: str) -> str | None:
    """What is wrong with a host address no connection could use (`a..b`), or None; said at `validate`, not when the
    step runs."""
    if "@" in address:  # `deploy@10.0.0.5`, as ssh takes it: DNS was asked for the whole, when the step ran
        user, _, host = address.rpartition("@")
        return (
            f"host address {describe(address)} holds '@': ssh would read it as the user {user} on {host}, and an address is the"
            f" host alone; expected the address alone ({host}) and user: {user}"
        )
    if address.startswith("["):  # `[::1]`, `[::1]:2222`: no connection takes the brackets (DNS is asked for the name)
        inner = address[1:].partition("]")[0]
        return f"host address {describe(address)} is in brackets, as a URL writes an IPv6 address; expected it without them ({inner}), a port in port:"
    if address.count(":") == 1:  # `db1:2222` (an IPv6 address has two colons or more)
        name, _, port = address.partition(":")
        return f"host address {describe(address)} has a port in it; expected the address alone ({name}) and port: {port}"
    if _DOTTED_NUMBERS.fullmatch(address):  # `10.0.0.256`, `1.2.3`: a mistyped IPv4 address, which DNS would be asked for
        try:
            ipaddress.IPv4Address(address)
        except ValueError:
            return f"host address {describe(address)} is no IPv4 address (four numbers 0-255 between dots); expected an IP address or a name"
        return None
    if is_host_name(address):
        return None
    return f"host address {describe(address)} is no valid host name (a part between dots is empty or over 63 characters); expected a name or an IP address"


def word_problem(what: str, value: str) -> str | None:
    """What is wrong with a host's name, address or user (each one word on a command line and in every message), or
    None. A control or format character (ESC, NUL, U+202E) would reach the terminal of whoever reads the plan, and
    asyncssh refused a user holding one with a traceback; `-` at the start reads as an option."""
    if not value:  # `user: ""` logged in as "" over ~/.ssh/config's User; `address: ""` quietly became the name
        return f"an empty {what}; expected a {what}, or the key left out"
    if any(unicodedata.category(char)[0] in "CZ" for char in value):
        return f"{what} {describe(value)} has a space or a control character; expected a {what} without them"
    if value.startswith("-"):  # `ssh "$h"` over a group's names would read it as an option: -oProxyCommand=CMD runs CMD
        return f"{what} {describe(value)} starts with '-', which ssh, scp and rsync read as an option; expected a {what}"
    return None
