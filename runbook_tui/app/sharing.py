"""Sharing a run: who may join (read from key files the journal names, so a resume can share it again with the same
ones), where the session listens, and its server; and the verifier's side of `join`, from the same settings."""

from __future__ import annotations

import os
import shlex
import socket
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runbook_tui.app.settings import load_settings, state_dir
from runbook_tui.engine.controller import Controller
from runbook_tui.engine.errors import StartRefused
from runbook_tui.engine.invocation import invocation
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.lean_dataclass import dataclass, field
from runbook_tui.runbook.loader import person_key
from runbook_tui.runbook.safe_text import shell_word, visible_line

if TYPE_CHECKING:  # the share server loads asyncssh: only shared runs pay for it
    import asyncssh

    from runbook_tui.execute.ssh_connect import Connector
    from runbook_tui.execute.ssh_endpoint import Endpoint as SshHop
    from runbook_tui.share.client import Endpoint
    from runbook_tui.share.participants import Participant
    from runbook_tui.share.server import ShareServer
    from runbook_tui.trust.run_trust import RunTrust

#: The options naming who may join, as `run`, `exec` and `resume` take them (`--verifier-key FILE`, ...).
KEY_OPTIONS = ("verifier-key", "observer-key", "participants")


@dataclass(frozen=True)
class ShareOptions:
    """`--share ADDR` with who may join; `key_files`: the files they were read from, option by option (absolute paths,
    public keys only), for `share_started` to journal."""

    address: str
    participants: tuple[Participant, ...]
    host_key_path: Path = field(default_factory=lambda: state_dir() / "share_host_key")
    key_files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def share_options(address: str, verifier_keys: Sequence[str] = (), observer_keys: Sequence[str] = (), participants: str | None = None) -> ShareOptions:
    """ShareOptions from the key files the command line or the mode screen names (`~` expanded); ParticipantsError
    names a file that cannot be used."""
    from runbook_tui.share.participants import gather

    given = {"verifier-key": tuple(verifier_keys), "observer-key": tuple(observer_keys), "participants": (participants,) if participants else ()}
    expanded = {option: [os.path.expanduser(file) for file in files] for option, files in given.items()}
    people = gather(expanded["verifier-key"], expanded["observer-key"], next(iter(expanded["participants"]), None))
    key_files = {option: tuple(os.path.abspath(file) for file in files) for option, files in expanded.items() if files}
    return ShareOptions(address, people, key_files=key_files)


def who_may_join(share: Mapping[str, Any]) -> str:
    """`--verifier-key /home/alice/keys/bob.pub ...`: the options a resume shares the run again with, from what
    `share_started` journaled (shell-quoted, control characters shown); `--verifier-key FILE` when it named none (a
    journal from before, or a run shared from code)."""
    keys = share.get("keys") or {}
    words = [f"--{option} {visible_line(shlex.quote(path))}" for option in KEY_OPTIONS for path in keys.get(option) or ()]
    return " ".join(words) or "--verifier-key FILE"


def signing_key(signer: Any) -> str | None:
    """The key file a trust.sshsig.Signer signs with (`--identity KEY`, absolute); None for the agent's key, or none."""
    if signer is None or signer.source == "ssh-agent":
        return None
    return os.path.abspath(os.path.expanduser(str(signer.source)))


def resume_keys(trust: RunTrust | None) -> tuple[str | None, str | None]:
    """The key file (`--identity`) and the allowed signers file (`--allowed-signers`, not the settings') the run was
    given, for the resume command to name."""
    return (signing_key(trust.signer), trust.signers_file) if trust is not None else (None, None)


def resume_command(state: RunState, journal_path: str, identity: str | None = None, signers: str | None = None) -> str:
    """The command that goes on with the run; a shared one's shares it again with the same address and key files
    (`resume JOURNAL` alone is not shared: no verifier could join it, and every step needing one would be refused), or
    goes on solo. `identity`: the key file the assignee signs with (`--identity KEY`): without it, the resume signed
    with the agent's key, or with none. `signers`: the `--allowed-signers PATH` the run was given (not the settings'):
    without it, a resume under `require_approval: true` could not tell who approved the run, and refused to go on."""
    plain = f"{invocation()} resume {shell_word(journal_path)}"
    plain += f" --identity {shell_word(identity)}" if identity else ""
    plain += f" --allowed-signers {shell_word(signers)}" if signers else ""
    if not state.share or state.solo:
        return plain
    return (
        f"{plain} --share {shell_word(state.share.get('address'))} {who_may_join(state.share)}\n(the verifier joins again: the same host key), or --solo REASON"
    )


def share_listener(
    options: ShareOptions | None, solo: str | None, trust: RunTrust | None = None, assignee: str = ""
) -> tuple[tuple[str, int], socket.socket] | None:
    """Where the shared session listens, bound before the journal is made: a port in use, an address that is not
    this machine's or a host that does not resolve refuses the run (exit 2) with nothing journaled; so does a run
    verified by nobody who may join (observers only, not `--solo`): it waited for ever at its first step; and so
    does a verifier's key that is the one the assignee signs with (the trust's signer), or one the allowed_signers
    file gives to the assignee too: whoever holds it would confirm the assignee's own steps under another name (and
    `journal verify` would fail every such confirmation), or one that file does not give to the verifier it names."""
    if options is None:
        return None
    signs_with = trust.signer.fingerprint if trust is not None and trust.signer is not None else None
    signers = trust.signers if trust is not None else None
    from runbook_tui.share.server import listening_socket, parse_address

    for person in options.participants:
        if assignee and person.role == "verifier" and person_key(person.name) == person_key(assignee):
            raise StartRefused(
                f"--share: the verifier's key names {visible_line(person.name)}, who is the assignee at this keyboard: the two-person rule "
                "needs another person, and every confirmation would be refused; expected the verifier's own key, its comment naming them "
                "(ssh-keygen -c -C NAME -f KEYFILE), or --participants FILE with their name"
            )
        if signs_with is not None and person.role == "verifier" and person.fingerprint == signs_with:
            raise StartRefused(
                f"--share: the verifier {person.name}'s key ({signs_with}) is the key your decisions are signed with "
                "(--identity, or the ssh-agent's key): the verifier joins with a key of their own; give theirs"
            )
        if trust is not None and person.role == "verifier" and person.fingerprint in trust.agent_held:
            raise StartRefused(
                visible_line(
                    f"--share: the ssh-agent this run was started with holds the verifier {person.name}'s key ({person.fingerprint}): whoever"
                    f" runs this change here could join as {person.name} and confirm its steps themselves (the two-person rule needs the"
                    f" verifier's key in their hands only); remove it from this agent (ssh-add -d {person.name}'s key file), or start"
                    " without this agent (SSH_AUTH_SOCK= and --identity KEY)"
                )
            )
        if signers is not None and assignee and person.role == "verifier" and signers.allows_fingerprint(assignee, person.fingerprint):
            raise StartRefused(
                visible_line(
                    f"--share: the verifier {person.name}'s key ({person.fingerprint}) is one {signers.path} gives to {assignee} too, the assignee"
                    " at this keyboard: the two-person rule needs the verifier's own key (journal verify would fail each of their"
                    " decisions); give each person a key of their own in the file"
                )
            )
        if signers is not None and person.role == "verifier" and not signers.allows_fingerprint(person.name, person.fingerprint):
            raise StartRefused(
                visible_line(
                    f"--share: the verifier {person.name}'s key ({person.fingerprint}) is not one {signers.path} gives to {person.name}:"
                    f" {signers.refusal_now(person.name, person.fingerprint)}; journal verify --allowed-signers would fail each of"
                    f" their decisions and seals: list their key for {person.name} in the file, or give the key it lists for them"
                )
            )
    if not options.participants:
        raise StartRefused("--share needs someone who may join: --verifier-key FILE, --observer-key FILE or --participants FILE")
    if solo is None and not any(person.role == "verifier" for person in options.participants):
        raise StartRefused(
            "--share with observers only: nobody who may join can confirm a step, and the run would wait at the first one; "
            "give the verifier's key (--verifier-key FILE), or run it --solo REASON"
        )
    try:
        host, port = parse_address(options.address)
    except ValueError as exc:
        raise StartRefused(str(exc)) from None
    try:
        return (host, port), listening_socket(host, port)
    except OSError as exc:
        raise StartRefused(f"--share {options.address}: cannot listen there: {exc.strerror or exc}") from None


def sharing(controller: Controller, options: ShareOptions | None, listener: tuple[tuple[str, int], socket.socket] | None) -> ShareServer | None:
    """The share server, subscribed before the first event so it relays every one."""
    if options is None or listener is None:
        return None
    from runbook_tui.share.server import ShareServer, load_or_create_host_key

    server = ShareServer(controller, options.participants, load_or_create_host_key(options.host_key_path))
    server.address, server.socket = listener
    return server


def join_endpoint(address: str, *, observe: bool, identity: str | None, known_hosts: str | None) -> Endpoint:
    """`join ADDR`: the verifier's (or observer's) connection, with the same settings a run uses (ssh.known_hosts).

    The session is reached as `ssh -l runbook -p PORT HOST` reaches it, through the verifier's ssh config read as for a
    step host (the settings' ssh.config, /etc/ssh/ssh_config when ssh reads it): its HostName, its IdentityFile (without
    --identity), its ProxyJump (the bastion's connection opened by the executor's `Connector`, its host key checked as a
    step host's); the session's own host key is checked as before, against join's known_hosts under the name connected
    to, the system's files and RevokedHostKeys. Before, only those files were read from it, and asyncssh read
    ~/.ssh/config on its own for the login (not the probe nor the settings' file): an alias or a bastion could not be used.

    Raises ValueError for an address that is not HOST:PORT, SshConfigError for an ssh config that cannot be read.
    """
    from runbook_tui.app.secrets import identity_passphrase
    from runbook_tui.execute.ssh_connect import Connector
    from runbook_tui.runbook.model import Host, Mark
    from runbook_tui.share.client import CONNECT_SECONDS, Endpoint
    from runbook_tui.share.server import parse_address

    host, port = parse_address(address, given="join")
    settings = load_settings()
    known = os.path.expanduser(known_hosts) if known_hosts else settings.known_hosts
    connector = Connector(
        known,
        ssh_config=settings.ssh_config,
        system_config=settings.system_ssh_config,
        known_hosts_given=bool(known_hosts) or settings.known_hosts_given,
        connect_timeout=CONNECT_SECONDS,
        keepalive_interval=settings.keepalive_interval,
        passphrase_lookup=identity_passphrase,
    )
    # as `ssh -l runbook -p PORT HOST`: the port joined and the session's user win over the config's
    asked = Host(host, host, Mark("join", 1, 1), port=port, user="runbook", given=frozenset({"port", "user"}))
    route = connector.resolver.endpoint(asked)  # SshConfigError: the config cannot be read
    named = () if identity else tuple(p for p in map(os.path.expanduser, route.identities) if os.path.exists(p))  # ssh skips a missing one
    system, revoked = route.global_known, route.revoked_keys
    trusted = partial(_session_keys, (known, *system), revoked)
    copy_dir = str(state_dir() / "received")
    tunnel = _Bastion(connector, route.via) if route.via is not None else None
    return Endpoint(route.address, port, known, identity, observe, copy_dir, system, revoked, trusted, tunnel, config_identities=named)


class _Bastion:
    """The session's bastion (the config's ProxyJump): the executor's connection to it, as a step host's bastion's."""

    def __init__(self, connector: Connector, hop: SshHop) -> None:
        self.connector, self.hop = connector, hop

    async def __call__(self) -> asyncssh.SSHClientConnection:
        from runbook_tui.execute.ssh_connect import ConnectFailed
        from runbook_tui.share.client import JoinError

        try:
            return await self.connector.connection(self.hop)
        except ConnectFailed as exc:  # its words name the hop: `cannot connect to bastion1 (…)`, its host key, its refusal
            if exc.permanent:
                raise JoinError(f"through bastion {self.hop.path}: {exc}") from None
            raise ConnectionError(f"through bastion {self.hop.path}: {exc}") from None

    async def close(self) -> None:
        await self.connector.close()


def _session_keys(files: tuple[str, ...], revoked: str | None) -> asyncssh.SSHKnownHosts:
    """The session's trusted and revoked host keys, read at each (re)connection as `exec` reads a step host's (a key
    revoked while joined is refused at the rejoin); `JoinError` when the RevokedHostKeys file cannot be used."""
    from runbook_tui.execute.revoked_host_keys import RevokedKeysUnusable, revoking, trusted_keys
    from runbook_tui.share.client import JoinError

    try:
        return trusted_keys(files, revoking(revoked))
    except RevokedKeysUnusable as exc:
        raise JoinError(f"the session's host key cannot be checked: {exc}") from None
