"""Where an SSH connection goes: a host entry merged with `~/.ssh/config` (then /etc/ssh/ssh_config, when ssh would read
it: `ssh_config_system`), each value with where it came from.

The runbook's own fields win (`address`, `port`, `user`, `identity`, `via`,
`forward_agent`); what it leaves out comes from the OpenSSH client config
(`HostName`, `Port`, `User`, `IdentityFile`, `CertificateFile`, `ProxyJump`,
`UserKnownHostsFile`, `ForwardAgent`, `IdentityAgent`, `IdentitiesOnly`, `HostKeyAlias`, matched as `ssh NAME` would: on the
address when the runbook gives one, else on the host's name), then from
defaults. A `ProxyCommand` (not `none`) for a host without `via:` is refused in
words: it is not run, and a direct connection in its place would take a route
`ssh NAME` never takes. The settings' `ssh.config` names the file; `false` turns it off.
asyncssh only parses the file (`asyncssh.config`): the connection itself is
made with the merged values and `config=None`, so `plan` shows exactly what
the executor uses.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from asyncssh.config import ConfigParseError, SSHClientConfig
from asyncssh.pattern import WildcardPatternList

from runbook_tui.execute import ssh_config_system
from runbook_tui.execute.ssh_config_canonical import NotCanonical, canonical_host
from runbook_tui.execute.ssh_config_checks import check_everywhere, seconds
from runbook_tui.execute.ssh_config_include import IncludeLoopError, include_tree, included_files, stamp
from runbook_tui.execute.ssh_config_keywords import check_keywords
from runbook_tui.execute.ssh_config_lines import as_ssh_reads, error_place
from runbook_tui.execute.ssh_config_perms import check_permissions
from runbook_tui.execute.ssh_config_values import PORT_WORDS, jump_parts, jump_tokens, proxy_option, service_port
from runbook_tui.execute.ssh_endpoint import Endpoint
from runbook_tui.runbook.host_entries import SHELL_READS
from runbook_tui.runbook.model import Host, Mark

#: Longest chain of bastions followed (ProxyJump hops included): a longer one is a loop in the config.
MAX_HOPS = 8

#: The system's known_hosts files ssh reads beside the user's when the config names none (`ssh -G`'s globalknownhostsfile).
GLOBAL_KNOWN_HOSTS = ("/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2")

#: Hosts named only by a ProxyJump have no place in the runbook.
_CONFIG_MARK = Mark("<ssh config>", 1, 1)


RUNBOOK = "runbook"
DEFAULT = "default"
SETTINGS = "settings"


class SshConfigError(Exception):
    """The ssh config could not be read or names an impossible route; the message is for the user."""


#: The words a `Match` line may hold where a condition begins (asyncssh's client config; `!` may come before them).
_MATCH_CONDITIONS = frozenset({"all", "canonical", "final", "exec", "host", "originalhost", "localnetwork", "localuser", "user", "tagged"})


def _read_as_ssh(handler: Callable[..., None]) -> Callable[..., None]:
    """`handler`, noting the file each option is first set in (`_ClientConfig.origin`: an included file's values are
    credited to it, not to the config). A comment at a line's end is gone before (`ssh_config_lines`, see `parse`)."""

    def handle(config: _ClientConfig, option: str, args: list[str]) -> None:
        handler(config, option, args)
        if option in config._options:
            config.origin.setdefault(option, str(config._path))

    return handle


class _ClientConfig(SSHClientConfig):
    """asyncssh's client config, with `Match exec` commands expanded as ssh expands them (%h, %n, %p, %r, %u, %d, %C,
    %l, %L, %i, ${VAR}) before they run: asyncssh ran `nc -z -w1 %h 22` as written, which failed, and the block ssh
    takes was left out (a negated one taken). A command holding `=` is one command again (see below)."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        last = args[0]
        #: option -> the file it was first set in (a Match final reading starts from the first reading's)
        self.origin: dict[str, str] = dict(last.origin) if isinstance(last, _ClientConfig) else {}

    def parse(self, path: Path) -> None:
        """The file as ssh reads it, a comment at a line's end left out (`User deploy  # the deploy account`): asyncssh
        took it for more words and refused the whole file (`Extra data at end`, or `No closing quotation` for a `don't`
        in it), or for a value (`User # later`) or more `Host` patterns."""
        with as_ssh_reads(path) as text:
            super().parse(text)  # type: ignore[arg-type]

    def _error(self, reason: str) -> NoReturn:
        """asyncssh's refusal at `FILE:LINE:COL`, as every other (it said `FILE line N: reason`)."""
        raise ConfigParseError(f"{error_place(self._path, self._line_no, reason)}: {reason}")

    def _match_expanded(self, option: str, args: list[str]) -> None:
        self._set_tokens()  # the values known so far, as ssh has them at this line (a HostName above it included)
        at = 0
        while at < len(args):
            condition = args[at].lower().lstrip("!")
            if condition == "exec" and at + 1 < len(args):
                # asyncssh cut the quoted command at its first `=` (`test %h = x`: 'test %h ', ' x'): made whole again
                while at + 2 < len(args) and args[at + 2].lower().lstrip("!") not in _MATCH_CONDITIONS:
                    args[at + 1] += "=" + args.pop(at + 2)
                args[at + 1] = self._expand_val(args[at + 1])
            at += 1 if condition in ("all", "canonical", "final") else 2
        SSHClientConfig._handlers["match"][1](self, option, args)

    def _match_host(self, option: str, args: list[str]) -> None:
        """A `Host` line, matched as ssh matches it: on the alias in the first reading; in the second (`Match final`,
        `CanonicalizeHostname`), on the HostName the first gave, or the canonical name. Before: on the alias in both, and a
        `Host db.corp.example` block after `Host db / HostName db.corp.example` was left out where ssh takes it."""
        name = self._options.get("Hostname", self._orig_host) if self._canonical else self._orig_host
        self._matching = WildcardPatternList(",".join(args)).matches(str(name).lower() if self._canonical else name)
        args.clear()

    def _include(self, option: str, args: list[str]) -> None:
        """The files as ssh reads them (`ssh_config_include`); their values' `%` tokens are left for the end of the whole
        config, as ssh leaves them: asyncssh expanded them at the end of each included file, with a HostName or
        HostKeyAlias written after the Include not yet read (`%k` and `%h` were the alias as typed)."""
        where, line, outermost = self._path, self._line_no, "_percent_expand" not in vars(self)
        self._percent_expand = set()  # shadows the class's set while the included files (and theirs) are read
        try:
            for path in (path for pattern in args for path in included_files(pattern, self._default_path)):
                self.parse(path)
        finally:
            if outermost:
                del self._percent_expand
        self._path, self._line_no, self._matching = where, line, True
        args.clear()

    def _port(self, option: str, args: list[str]) -> None:
        """A number, or a service name read as ssh reads it (`a2port`: the tcp port the services database gives it, `Port
        ssh` is 22); before, asyncssh's `Invalid Port integer value: ssh` refused the whole config, where ssh connects."""
        try:
            int(args[0])
        except ValueError:
            if (named := service_port(args[0])) is None:  # ssh: "Bad port 'NAME'."
                self._error(f"Bad port {args[0]!r}: {PORT_WORDS}")
            args[0] = str(named)
        SSHClientConfig._handlers["port"][1](self, option, args)

    def _time(self, option: str, args: list[str]) -> None:
        """A time as ssh reads it (`ConnectTimeout 1m`, `ServerAliveInterval 30s`, `none`), in seconds for asyncssh: it took a
        number alone and refused the whole config where ssh connects (checked before it is read: `ssh_config_checks`)."""
        args[0] = str(seconds(args[0]) or 0)
        SSHClientConfig._handlers[option.lower()][1](self, option, args)

    _handlers = {
        key: (option, _read_as_ssh(handler))
        for key, (option, handler) in {
            **SSHClientConfig._handlers,
            "match": ("Match", _match_expanded),
            "host": ("Host", _match_host),
            "include": ("Include", _include),
            "port": ("Port", _port),
            "connecttimeout": ("ConnectTimeout", _time),
            "serveraliveinterval": ("ServerAliveInterval", _time),
            "revokedhostkeys": ("RevokedHostKeys", SSHClientConfig._set_string),  # before: not read, a key revoked there ran
        }.items()
    }

    @classmethod
    def read(cls, last: _ClientConfig | None, roots: Sequence[tuple[Path, Path]], final: bool, given: tuple[object, ...]) -> _ClientConfig:
        """The files of `roots` (`ssh_config_system.config_roots`) read in order into one config, as ssh reads
        ~/.ssh/config then /etc/ssh/ssh_config: the first value obtained wins, each file's relative Includes under its
        folder, the `%` tokens expanded once after the last (asyncssh expanded them at each file's end)."""
        config = cls(last, False, final, final, *given)
        for at, (path, base) in enumerate(roots, start=1):
            config._default_path = base
            if at < len(roots):
                config._percent_expand = set()
            try:
                config.parse(path)
            finally:
                vars(config).pop("_percent_expand", None)
        config.loaded = True
        return config

    def read_final(self, roots: Sequence[tuple[Path, Path]], given: tuple[object, ...]) -> _ClientConfig:
        """ssh's second reading of a config holding `Match final`: `final` (and `canonical`) true, `host` matched on the
        HostName the first reading gave, its values kept (the first value obtained wins). Before: one reading, every
        `Match final` block left out (asyncssh reads it again only as it connects, and from scratch). This reading is
        spent: its values are the next one's."""
        for option in self._percent_expand & self._options.keys():  # expanded already: the next reading's end expands them again
            value = self._options[option]
            if isinstance(value, (str, list)):
                self._options[option] = [v.replace("%", "%%") for v in value] if isinstance(value, list) else value.replace("%", "%%")
        return _ClientConfig.read(self, roots, True, given)

    #: ssh expands its tokens in UserKnownHostsFile too; asyncssh did not, and `~/.ssh/known_hosts.d/%k` (a file per host)
    #: was read as a file named `%k`: no host key was ever found there, and every host of such a config was refused.
    _percent_expand = {*SSHClientConfig._percent_expand, "UserKnownHostsFile", "RevokedHostKeys"}

    def _set_tokens(self) -> None:
        super()._set_tokens()
        self._tokens["k"] = str(self._options.get("HostKeyAlias") or self._orig_host)  # `%k`, as ssh gives it


def _given(host: Host) -> set[str]:
    """The fields the runbook gave (a Host made outside the loader: what differs from the defaults was given)."""
    given = set(host.given)
    given.update(k for k, v in (("address", host.address != host.name), ("port", host.port != 22)) if v)
    given.update(k for k in ("user", "identity") if getattr(host, k) is not None)
    return given


def _alias(host: Host) -> str:
    """What the config is matched on, as `ssh NAME` would: the address when the runbook gives one, else the name."""
    return host.address if "address" in _given(host) else host.name


Asked = tuple[str, str | None, int | None, bool]


def _asked(host: Host) -> Asked:
    """What the config is read for, as `ssh [-l USER] [-p PORT] [-J ...] NAME` asks: the alias, the user and port the runbook
    gave, and whether its `via:` reaches it (no `CanonicalizeHostname` then, as with `ssh -J`)."""
    given = _given(host)
    return _alias(host), host.user if "user" in given else None, host.port if "port" in given else None, host.via is not None


def _host_key_files(config: SSHClientConfig | None) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """What ssh reads for a host's key beside the user's known_hosts: the system's files (`GlobalKnownHostsFile`, else
    its defaults), those of them that are there (ssh skips a missing one), and the `RevokedHostKeys` file (None: none)."""
    named = config.get("GlobalKnownHostsFile") if config is not None else None
    system = tuple(os.path.expanduser(str(k)) for k in named) if isinstance(named, list) else GLOBAL_KNOWN_HOSTS
    revoked = config.get("RevokedHostKeys") if config is not None else None
    return system, tuple(path for path in system if os.path.exists(path)), os.path.expanduser(revoked) if isinstance(revoked, str) else None


#: What to do when `login_name()` is None.
NAMELESS_TODO = "set USER=NAME before starting runbook-tui, or run it as a user the passwd database knows"


def login_name() -> str | None:
    """This machine's user name, as ssh takes it for `%u`, `Match localuser` and a missing `User`; None for a uid with no
    name (a container's `--user 4242` without a passwd entry, and no LOGNAME or USER)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def nameless_words() -> str:
    """Why no SSH connection leaves this machine when `login_name()` is None, and what to do."""
    return (
        f"this machine's user id {os.getuid()} has no user name (no passwd entry, and LOGNAME, USER, LNAME and USERNAME"
        f" are unset); ssh needs one to log in with: {NAMELESS_TODO}"
    )


class SshConfigResolver:
    """Merges host entries with one ssh config file (None: no file), then the system's when `system_config` (as ssh
    reads it after the default ~/.ssh/config, see `ssh_config_system`), and the settings' known_hosts
    (`known_hosts_origin`: where that file came from, as `plan` labels it: `settings`, or `default` when no settings
    file names it)."""

    def __init__(self, config_path: str | None, known_hosts: str, known_hosts_origin: str = SETTINGS, *, system_config: bool = False) -> None:
        self.config_path = os.path.expanduser(config_path) if config_path else None
        self.system_config = system_config
        self.known_hosts = known_hosts
        self.known_hosts_origin = known_hosts_origin
        self._local_user = login_name()
        #: `_asked` -> (the `stamp` of the config and what it includes; what it says for it): a `Match exec` runs a program, on the event
        #: loop, each time the file is read (before: at every command and release, for every host).
        self._read: dict[Asked, tuple[tuple[object, ...], SSHClientConfig]] = {}
        #: what the last reading depended on (the config and what it includes, see `include_tree`)
        self._tree: tuple[str, ...] = ()
        #: the `stamp` of the files last checked whole (every line, as ssh checks them): unchanged, they pass again
        self._checked: tuple[object, ...] | None = None

    def endpoint(self, host: Host) -> Endpoint:
        """The route to `host` (its bastions included); `SshConfigError` for an unreadable config or a loop."""
        return self._endpoint(host, 0)

    def known(self, host: Host) -> bool:
        """Whether `endpoint(host)` needs no reading of the file (none, or read already for it and unchanged since): a
        read may run `Match exec` programs, best done off the event loop (`Connector.endpoint_off_loop`)."""
        return self._unchanged(host) is not None

    def endpoint_if_known(self, host: Host) -> Endpoint | None:
        """`endpoint(host)` when it needs no reading of the file (`known`), else None; the config and what it includes
        stat'ed once for both (before: once to tell, once more to resolve, for every command and release of every host)."""
        marks = self._unchanged(host)
        return None if marks is None else self._endpoint(host, 0, marks or None)

    def _unchanged(self, host: Host) -> tuple[object, ...] | None:
        """The `stamp` of the config and what it includes when it was read for `host` and is unchanged since (`()`: no
        file to read), else None."""
        if not ssh_config_system.config_roots(self.config_path, self.system_config):
            return ()  # not there: nothing to read (anything else is said by the read itself)
        marks = stamp(self._tree)
        read = self._read.get(_asked(host))
        return marks if read is not None and read[0] == marks else None

    def _lookup(self, asked: Asked, marks: tuple[object, ...] | None = None) -> SSHClientConfig | None:
        """What the file says for `asked` (`_asked`), read again only when it or a file it includes changed (`marks`: its
        `stamp` taken already in this resolution)."""
        roots = ssh_config_system.config_roots(self.config_path, self.system_config)
        if not roots:
            return None
        named = " then ".join(str(path) for path, _ in roots)  # the files read, as messages name them
        alias, user, port, proxied = asked
        for what, text, ssh_says, expected in (
            ("host", alias, "hostname contains invalid characters", "a host name or an address"),
            ("user", user or "", "remote username contains invalid characters", "a user name"),
        ):
            if text.startswith("-") or any(char in SHELL_READS or not char.isprintable() or char.isspace() for char in text):
                # a parameter's text: it must not reach the shell a `Match exec` runs (`x;rm -rf ~` as `%h` or `%r`)
                raise SshConfigError(
                    f"{what} {text!r} holds characters a shell reads (or starts with '-'), and the ssh config {named}"
                    f" is matched on it (a `Match exec` runs a shell with the {what} in it); ssh refuses it too ({ssh_says}):"
                    f" expected {expected}"
                )
            if "/" in text:  # nor a file's path: `UserKnownHostsFile ~/.ssh/kh/%h` with `../../elsewhere` as `%h`
                raise SshConfigError(
                    f"{what} {text!r} holds '/', and the ssh config {named} is matched on it (its `%h` and `%r`"
                    f" may name a file, a known_hosts one among them): expected {expected}"
                )
        try:
            marks = stamp(self._tree) if marks is None else marks
            if (read := self._read.get(asked)) is not None and read[0] == marks:
                return read[1]
            if marks != self._checked:  # else the same files, checked already (before: again for every host)
                # the files ssh would read, there or not (one that appears is a change), and what the ones there include
                tree = (*ssh_config_system.candidates(self.config_path, self.system_config), *(p for r in roots for p in include_tree(*r)))
                self._tree = tuple(dict.fromkeys(tree))
                marks = stamp(self._tree)  # before the reading: a change during it is read again next time
                for path in filter(os.path.isfile, self._tree):  # the files read (the tree names the folders globs search too)
                    check_everywhere(path)
                check_keywords(filter(os.path.isfile, self._tree))  # a typo'd keyword in any of them: ssh refuses the config
                # an included file, and ~/.ssh/config unless named (-F): ssh refuses one others may write
                unchecked = {self.config_path if not self.system_config else None, ssh_config_system.SYSTEM_CONFIG}
                check_permissions(path for path in filter(os.path.isfile, self._tree) if path not in unchecked)
                self._checked = marks
            # the runbook's user and port as `ssh -l USER -p PORT` gives them: `Match user`, `%r` and `%p` see them
            given = (self._local_user, () if user is None else user, alias, () if port is None else port)
            config = _ClientConfig.read(None, roots, False, given)
            if (canonical := canonical_host(config, alias, int(config.get("Port", 22)), proxied=proxied)) is not None:  # type: ignore[call-overload]
                config._options["Hostname"] = canonical  # ssh's `options.hostname = host` before its second reading
                config.origin["Hostname"] = f"{config.origin.get('CanonicalDomains', named)} CanonicalDomains"
            if config.has_match_final() or config.get("CanonicalizeHostname"):  # ssh reads it again for both
                config = config.read_final(roots, given)
        except (ConfigParseError, OSError, IncludeLoopError, NotCanonical) as exc:
            raise SshConfigError(f"cannot use the ssh config {named}: {exc}") from None
        self._read[asked] = (marks, config)
        return config

    def _endpoint(self, host: Host, depth: int, marks: tuple[object, ...] | None = None) -> Endpoint:
        if self._local_user is None:  # ssh refuses too ("No user exists for uid N"), and asyncssh ("Unknown local username")
            raise SshConfigError(nameless_words())
        if depth > MAX_HOPS:
            raise SshConfigError(f"more than {MAX_HOPS} bastions before {host.name}: is there a ProxyJump loop in {self.config_path}?")
        given = _given(host)
        alias = _alias(host)
        config = self._lookup(_asked(host), marks)
        where = self.config_path or DEFAULT
        sources: dict[str, str] = {}

        def credit(option: str) -> str:
            """The file that gave `option`: the config, or a file it includes."""
            return config.origin.get(option, where) if isinstance(config, _ClientConfig) else where

        def pick(field: str, value: object, option: str, default: object) -> object:
            if field in given or (field == "forward_agent" and value):
                sources[field] = RUNBOOK
                return value
            found = config.get(option) if config is not None else None
            if found not in (None, [], ()):
                sources[field] = credit(option)
                return found
            sources[field] = DEFAULT
            return default

        # lower case, as ssh connects to it and looks its key up (before: `DB1` missed known_hosts' `db1` line, which ssh takes)
        address = str(pick("address", host.address, "Hostname", host.address)).lower()
        port = int(pick("port", host.port, "Port", host.port))  # type: ignore[call-overload]
        user = str(pick("user", host.user, "User", self._local_user))
        identity = pick("identity", host.identity, "IdentityFile", None)
        # each once, as ssh adds them (before: `IdentityFile` in a host's block and in `Host *` offered the key twice)
        identities = (identity,) if isinstance(identity, str) else tuple(dict.fromkeys(identity or ()))  # type: ignore[call-overload]
        # `CertificateFile`: before, never read, and a site trusting only certificates refused what `ssh NAME` logged in with
        named = config.get("CertificateFile") if config is not None else None
        certificates = tuple(dict.fromkeys(str(c) for c in named)) if isinstance(named, list) else ()
        if certificates:
            sources["certificate"] = credit("CertificateFile")
        # `IdentityAgent` (before: never read, SSH_AUTH_SOCK alone); asyncssh reads its `none` as None, absent is False here
        named_agent = config.get("IdentityAgent", False) if config is not None else False
        agent = "none" if named_agent is None else named_agent if isinstance(named_agent, str) else None
        if agent is not None:
            sources["agent"] = credit("IdentityAgent")
        identities_only = config is not None and config.get("IdentitiesOnly") is True  # before: never read
        if identities_only:
            sources["identities_only"] = credit("IdentitiesOnly")
        alias_of_key = config.get("HostKeyAlias") if config is not None else None  # before: never read
        if isinstance(alias_of_key, str):
            sources["host_key_alias"] = credit("HostKeyAlias")
        # the system's files, read after the user's as ssh reads them (before: never; a key listed there was refused, one revoked there ran)
        system, global_known, revoked = _host_key_files(config)
        if global_known:
            sources["global_known"] = credit("GlobalKnownHostsFile") if system is not GLOBAL_KNOWN_HOSTS else DEFAULT  # (not the defaults: named)
        known = pick("known_hosts", None, "UserKnownHostsFile", None)
        if known is None:
            sources["known_hosts"] = self.known_hosts_origin
        # every file of `UserKnownHostsFile A B`, as ssh reads them (before: the first alone, and a key in B was refused)
        default = ssh_config_system.default_known_hosts(self.known_hosts, self.known_hosts_origin != DEFAULT)  # + known_hosts2
        known_files = tuple(os.path.expanduser(str(k)) for k in known) if isinstance(known, list) and known else default
        if config is not None and config.get("UserKnownHostsFile") == []:  # `none`: ssh reads the system's files alone (before: the settings' one)
            given_in = "" if credit("UserKnownHostsFile") == self.config_path else f" (in {credit('UserKnownHostsFile')})"
            if not global_known:
                raise SshConfigError(
                    f"cannot use the ssh config {self.config_path}: it gives {host.name} `UserKnownHostsFile none`{given_in}, and ssh then"
                    f" trusts no key of a known_hosts file of yours, only the system's ({', '.join(system) or 'none'}: none of them is there):"
                    f" no host key of {host.name} could be checked. Name the file its key is in there, or remove that line to check"
                    f" it against the settings' {self.known_hosts}"
                )
            known_files, global_known = global_known, ()
            sources["known_hosts"] = sources.pop("global_known")
        if revoked is not None:  # ssh refuses the keys listed there
            sources["revoked_keys"] = credit("RevokedHostKeys")
        forward_agent = pick("forward_agent", host.forward_agent, "ForwardAgent", False) is True
        via: Endpoint | None = None
        if host.via is not None:
            sources["via"] = RUNBOOK
            via = self._endpoint(host.via, depth + 1, marks)
        else:
            option, jump = proxy_option(config._options) or ("", "none") if config is not None else ("", "none")
            if option == "ProxyCommand" and jump.strip().lower() != "none":
                raise SshConfigError(
                    f"the ssh config {credit('ProxyCommand')} reaches {alias} with a ProxyCommand, which runbook-tui does not run"
                    " (it would connect directly instead); name its bastion with `via:` in the runbook or ProxyJump in the config"
                )
            if option == "ProxyJump" and jump.strip().lower() != "none":
                sources["via"] = f"{credit('ProxyJump')} ProxyJump"
                try:
                    jump = jump_tokens(jump, {"h": address, "n": alias, "p": str(port), "r": user})
                except ValueError as exc:
                    raise SshConfigError(f"cannot use the ssh config {credit('ProxyJump')}: {exc}") from None
                via = self._jumps(jump, depth, marks, credit("ProxyJump"))
        return Endpoint(
            host.name,
            address,
            port,
            user,
            identities,
            known_files[0],
            forward_agent,
            via,
            tuple(sources.items()),
            known_files[1:],
            certificates,
            agent,
            identities_only,
            alias_of_key if isinstance(alias_of_key, str) else None,
            global_known,
            revoked,
        )

    def _jumps(self, spec: str, depth: int, marks: tuple[object, ...] | None, where: str) -> Endpoint:
        """`[user@]host[:port][,...]` (given in the file `where`): the last hop, each one behind the one before it (the
        first is reached directly)."""
        previous: Endpoint | None = None
        for hop in (part.strip() for part in spec.split(",") if part.strip()):
            parts = jump_parts(hop)
            if parts is None:
                raise SshConfigError(f"ProxyJump {spec!r} in {where}: expected [user@]host[:port], comma-separated")
            user, name, port = parts
            given = {"user"} if user else set()
            if port:
                given.add("port")
            jump = Host(name, name, _CONFIG_MARK, port=int(port or 22), user=user or None, given=frozenset(given))
            endpoint = self._endpoint(jump, depth + 1, marks)
            sources = {field: "ProxyJump" if origin == RUNBOOK else origin for field, origin in endpoint.sources}
            if previous is not None:  # a later hop is reached through the one before it
                sources["via"] = f"{where} ProxyJump"
            endpoint = replace(endpoint, via=previous or endpoint.via, sources=tuple(sources.items()))
            previous = endpoint
        if previous is None:
            raise SshConfigError(f"ProxyJump {spec!r} in {where}: expected [user@]host[:port], comma-separated")
        return previous
