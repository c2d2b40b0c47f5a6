"""`join ADDR`: the verifier's (or an observer's) side of a shared run.

The session's host key is checked like any SSH host's: against known_hosts;
on first contact its fingerprint is shown and must be accepted (typed, or
given with --accept-fingerprint after checking it with the assignee, whose
screen shows it). A changed key is refused, never offered for acceptance.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncssh

from runbook_tui.app.stopped import stopping_signals
from runbook_tui.engine.invocation import invocation
from runbook_tui.engine.outcome_words import ended_words
from runbook_tui.engine.state import RunState
from runbook_tui.execute.known_hosts import entries_for, trusted_entries
from runbook_tui.execute.revoked_host_keys import RevokedKeysUnusable, revoking
from runbook_tui.execute.ssh_config import SshConfigError, login_name, nameless_words
from runbook_tui.execute.ssh_endpoint import Endpoint as SshHost
from runbook_tui.execute.ssh_host_key_words import changed_key, revoked_words
from runbook_tui.execute.ssh_offered import NOTHING_OFFERED, offered_words
from runbook_tui.runbook.bounded_read import not_regular
from runbook_tui.runbook.safe_text import visible, visible_line
from runbook_tui.share.admission import AUTH_TRIES, TOO_MANY_TRIES
from runbook_tui.share.client import Endpoint, JoinError, NeverWritten, ShareClient, fetch_host_key, trust, words
from runbook_tui.share.probe import not_a_share
from runbook_tui.share.protocol import ProtocolError
from runbook_tui.ui.terminal import not_a_terminal, terminal_gone
from runbook_tui.ui.verifier_app import VerifierApp

#: What a verifier can check when the session's address does not answer.
CHECK_ADDRESS = "Check the address with the assignee (their screen shows `shared at HOST:PORT`) and that their run is still open"


async def _ensure_trusted(endpoint: Endpoint, accept: str | None, tunnel: asyncssh.SSHClientConnection | None = None) -> str | None:
    """None when the host key is (now) trusted; otherwise why not. The files are those ssh reads for it (join's own
    known_hosts, the system's, RevokedHostKeys: `join_endpoint`), the words `exec`'s for a step host. `tunnel`: the
    bastion's connection the session is reached through (the verifier's ssh config's ProxyJump)."""
    host, port, known_hosts, session = endpoint.host, endpoint.port, endpoint.known_hosts, _as_ssh_host(endpoint)
    try:
        revoking(endpoint.revoked_keys)
    except RevokedKeysUnusable as exc:  # ssh refuses every host key then: none is offered for trust either
        return f"the session's host key cannot be checked: {exc}. Refusing to join; nothing was trusted"
    if any(entries_for(path, host, port) for path in session.known_files):
        return None  # listed: asyncssh checks the key; a different or revoked one is refused in words (below)
    try:
        key = await fetch_host_key(host, port, tunnel)
    except (OSError, asyncssh.Error) as exc:
        return f"cannot reach the session at {_shown(host, port)}: {words(exc)}. {CHECK_ADDRESS}"
    if key is None:
        return f"the session at {host}:{port} offered no host key"
    if revoked := revoked_words(session, key, refusing="Refusing to join; nothing was trusted: tell the assignee"):
        return revoked  # as ssh: never offered for trust (before: asked, and --accept-fingerprint wrote it to known_hosts)
    if any(e.key is not None and e.key.public_data == key.public_data for e in trusted_entries(session.known_files, host, port)):
        return None  # the very key under the bare name (port 22): ssh takes it for this port too, and so does the connection
    fingerprint = key.get_fingerprint()
    if accept is not None:
        if accept != fingerprint:
            return f"the session's host key is {fingerprint}, not {accept}: refusing to join (check with the assignee)"
    elif sys.stdin.isatty():
        print(f"First contact with the session at {host}:{port}.\nIts host key fingerprint is {fingerprint}")
        print("The assignee's screen shows the fingerprint; check they match.")
        if _typed("Trust this session's key? Type yes: ").strip().lower() != "yes":
            return (
                f"host key not accepted: nothing was joined or trusted. If the assignee's screen shows {fingerprint}, "
                f"join again and type yes (or pass --accept-fingerprint {fingerprint}); if it shows another, do not join: "
                "tell the assignee"
            )
    else:
        return f"unknown session host key {fingerprint}; check it with the assignee and pass --accept-fingerprint {fingerprint}"
    trust(known_hosts, host, port, key)
    return None


def _as_ssh_host(endpoint: Endpoint) -> SshHost:
    """The session as `exec` sees a step host, for its words about a host key: checked against join's own known_hosts
    and the system's, with the config's RevokedHostKeys."""
    sources = (("known_hosts", "join"),)
    host, port = endpoint.host, endpoint.port
    return SshHost(
        host, host, port, "runbook", (), endpoint.known_hosts, False, None, sources, global_known=endpoint.system_known, revoked_keys=endpoint.revoked_keys
    )


def _typed(prompt: str) -> str:
    """A line typed at `prompt`; "" for ctrl-d or ctrl-c. The prompt is asked inside the event loop, whose ctrl-c
    handler only cancels the task: the first ctrl-c was swallowed while input() went on waiting, the second printed a
    traceback. Python's own handler, for the time of the question, makes the first one an answer (a no); SIGTERM and a
    hang-up too (the loop's handlers for them, in _stoppable, would have waited for the answer)."""
    previous = {sig: signal.signal(sig, signal.default_int_handler) for sig in stopping_signals()}
    try:
        return input(prompt)
    except (EOFError, KeyboardInterrupt):  # SIGTERM and a hang-up too: the loop's handlers would wait for the answer
        print()  # the error goes on a line of its own, not after the prompt's ^C
        return ""
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


async def _why_not_verified(endpoint: Endpoint, exc: asyncssh.HostKeyNotVerifiable) -> str:
    """OpenSSH's words for the session's key: revoked (RevokedHostKeys, `@revoked`), changed ("REMOTE HOST IDENTIFICATION
    HAS CHANGED"), or not known, as `exec` says them for a step host."""
    said = await changed_key(_as_ssh_host(endpoint), None, refusing="Refusing to join")
    return said or f"the session's host key does not match {endpoint.known_hosts}: {exc.reason}. Refusing to join."


async def _refused(endpoint: Endpoint, exc: asyncssh.Error, identity: str | None) -> str:
    """What a refusal retrying will not fix means, and what to do about it."""
    if isinstance(exc, asyncssh.HostKeyNotVerifiable):
        return await _why_not_verified(endpoint, exc)
    if isinstance(exc, asyncssh.PermissionDenied) and exc.reason == TOO_MANY_TRIES:  # the session's MaxAuthTries, not a refusal
        tried = "" if identity else f"; {await offered_words()}"
        return (
            f"the session closed your login after {AUTH_TRIES} attempts, before a key it knows came up{tried}. What to do: "
            "join with the private key of the public key file the assignee gave (--identity KEYFILE)"
        )
    if isinstance(exc, asyncssh.PermissionDenied):
        offered = "" if identity else await offered_words()
        if offered.startswith(NOTHING_OFFERED):  # a gone SSH_AUTH_SOCK, no ~/.ssh/id_*: no key of yours was refused
            return (
                f"you offered the session no key ({offered.removeprefix(NOTHING_OFFERED)}). What to do: join with the private key of "
                "the public key file the assignee gave (--identity KEYFILE), or load it into a running SSH agent (ssh-add)"
            )
        tried, public = (identity, f" ({identity}.pub)") if identity else (offered.removeprefix("tried "), "")
        return (
            f"the session refused your key ({tried}): it is not one of this session's participants. What to do: join with "
            f"the private key of the public key file the assignee gave (--identity KEYFILE), or send them your public key{public}: "
            "they name it with --verifier-key (or --observer-key) when they resume the run"
        )
    return str(exc)


def join(address: str, *, observe: bool, identity: str | None, known_hosts: str | None, accept: str | None) -> int:
    from runbook_tui.app.settings import SettingsError
    from runbook_tui.app.sharing import join_endpoint  # imported here: the module pulls in the engine

    try:
        endpoint = join_endpoint(address, observe=observe, identity=identity, known_hosts=known_hosts)
    except SettingsError:
        raise  # its FILE:LINE:COL lines, as every command says them (cli._main); a "runbook-tui: " before the first broke it
    except ValueError as exc:
        print(f"runbook-tui: {visible(str(exc))}", file=sys.stderr)  # the address as typed may hold escapes
        return 2
    except SshConfigError as exc:  # read for the session's host key, as ssh reads it
        print(visible_line(f"runbook-tui: join: {exc}; nothing was joined"), file=sys.stderr)
        return 2
    if identity is not None and (unusable := _unreadable_key(identity)) is not None:
        print(visible_line(f"runbook-tui: join --identity {identity}: {unusable}"), file=sys.stderr)
        return 2  # said first: before the host key's check and the terminal's (before: the terminal's was said first)
    if known_hosts is not None and (odd := _not_regular(known_hosts)) is not None:  # /dev/zero filled memory (7 GB), a FIFO hung
        print(
            visible_line(f"runbook-tui: join --known-hosts {known_hosts}: {odd}; nothing was joined (give a known_hosts file, or a new name)"), file=sys.stderr
        )
        return 2
    if login_name() is None:  # asyncssh's connect raised ValueError("Unknown local username"): a traceback
        print(visible_line(f"runbook-tui: join: {nameless_words()}; nothing was joined"), file=sys.stderr)
        return 2
    host, port = endpoint.host, endpoint.port

    async def main() -> int:
        try:
            return await _joined()
        finally:  # the bastion's connection too, whichever way the join ended
            if endpoint.tunnel is not None:
                await endpoint.tunnel.close()

    async def _joined() -> int:
        if sys.stderr.isatty():  # the probe, the host key and the login may each wait CONNECT_SECONDS: blank, it read as hung
            role = "observer" if observe else "verifier"
            print(visible_line(f"runbook-tui: joining the session at {_shown(host, port)} as {role}… (ctrl-c leaves)"), file=sys.stderr)
        try:  # the verifier's ssh config's ProxyJump: its bastion first (ConnectionError: not now; JoinError: never)
            tunnel = await endpoint.tunnel() if endpoint.tunnel is not None else None
        except (OSError, JoinError) as exc:
            print(visible_line(f"runbook-tui: cannot reach the session at {_shown(host, port)}: {exc}. Nothing was joined"), file=sys.stderr)
            return 2
        problem = await not_a_share(host, port, tunnel)
        if problem:  # said before any host key is offered for trust or any key is tried
            print(visible_line(f"runbook-tui: cannot reach the session at {_shown(host, port)}: {problem}. {CHECK_ADDRESS}"), file=sys.stderr)
            return 2
        problem = await _ensure_trusted(endpoint, accept, tunnel)
        if problem:
            print(f"runbook-tui: {visible(problem)}", file=sys.stderr)  # the host as typed may hold escapes
            return 2
        if not_a_terminal("join", "A verifier confirms at a screen: run join in a terminal."):
            return 2  # after the host key's check (said without a terminal too), before the session sees anyone join
        client = ShareClient(endpoint)
        try:
            await client.connect()
        except (asyncssh.HostKeyNotVerifiable, asyncssh.PermissionDenied) as exc:
            print(f"runbook-tui: {await _refused(endpoint, exc, endpoint.identity)}", file=sys.stderr)
            return 2
        except JoinError as exc:  # the session's host key cannot be checked (its RevokedHostKeys file went unreadable)
            print(visible_line(f"runbook-tui: {exc}. Refusing to join"), file=sys.stderr)
            return 2
        except (OSError, asyncssh.Error) as exc:
            print(visible_line(f"runbook-tui: cannot join {host}:{port}: {words(exc)}. {CHECK_ADDRESS}"), file=sys.stderr)
            return 2
        except ProtocolError as exc:  # its `bye` (a limit reached), or not a runbook-tui session (before: a traceback)
            await client.close()
            print(visible_line(f"runbook-tui: cannot join {host}:{port}: {exc}"), file=sys.stderr)
            return 2
        app = VerifierApp(client, observe=observe)
        try:
            await app.run_async()
        finally:
            await client.close()
        try:
            return await _said_after(app, client)
        except OSError:  # the terminal went away (EIO): the session has seen the verifier leave
            terminal_gone()
            return 0  # join's one code for a verifier gone, whatever took them away (the spec's table: 0)

    async def _said_after(app: VerifierApp, client: ShareClient) -> int:
        if isinstance(app.refused, NeverWritten):  # no rejoin would get past it
            print(visible_line(f"runbook-tui: left the session at {host}:{port}: {app.refused}"), file=sys.stderr)
            return 2
        if app.refused is not None:  # joined, then a reconnect was refused for good
            cause = app.refused.__cause__
            why = await _refused(endpoint, cause, endpoint.identity) if isinstance(cause, asyncssh.Error) else str(app.refused)
            print(f"runbook-tui: the connection to the session dropped, and rejoining it was refused:\n{why}", file=sys.stderr)
            return 2
        print(left_words(client.state, address, observe=observe, identity=identity, known_hosts=known_hosts))
        return 0

    return asyncio.run(_stoppable(main, f"the session at {_shown(host, port)}"))


async def _stoppable(main: Callable[[], Awaitable[int]], session: str) -> int:
    """`main()`, or exit 0 in words when ctrl-c, SIGTERM or a hang-up stops join before its screen is up (the screen
    takes these signals over once it is; the spec's one code for join is 0, as when the screen closes). Before: ctrl-c
    printed asyncio's KeyboardInterrupt traceback (exit 130), SIGTERM and SIGHUP killed it saying nothing (-15, -1).
    ctrl-c stays asyncio.run's (it cancels this task); the others cancel it the same way here."""
    task, loop, stopped_by = asyncio.current_task(), asyncio.get_running_loop(), ["ctrl-c"]
    assert task is not None

    def stop(name: str) -> None:
        stopped_by[0] = name
        task.cancel()

    for sig in stopping_signals() if threading.current_thread() is threading.main_thread() else ():  # (signals go to it alone)
        if sig != signal.SIGINT:
            loop.add_signal_handler(sig, stop, sig.name)
    try:
        return await main()
    except asyncio.CancelledError:
        print(visible_line(f"runbook-tui: join stopped by {stopped_by[0]} before its screen came up: nothing was joined ({session})"), file=sys.stderr)
        return 0


def _not_regular(path: str) -> str | None:
    """What is at `--known-hosts PATH` when it is there and not a regular file (a missing one is made on first contact)."""
    try:
        return not_regular(os.stat(os.path.expanduser(path)).st_mode)
    except OSError:
        return None


def _unreadable_key(identity: str) -> str | None:
    """Why `--identity FILE` cannot be the key this verifier joins with, in words; None when it is a private key."""
    path = Path(identity).expanduser()
    why = "no such file" if not path.exists() else "not a file" if not path.is_file() else None
    if why is None and not os.access(path, os.R_OK):
        why = "cannot be read (permission denied)"
    if why is not None:
        return f"{why}; nothing was joined (give your private key's file)"
    from runbook_tui.trust.sshsig import SignatureError, load_key

    try:  # a key with a passphrase, or a .pub: said here (before: asyncssh's KeyImportError, a traceback, at connect)
        load_key(identity, from_agent=", then leave out --identity: the agent's key signs")
    except SignatureError as exc:
        return f"{str(exc).removeprefix(f'{identity}: ')}; nothing was joined"
    return None


def left_words(state: RunState, address: str, *, observe: bool, identity: str | None, known_hosts: str | None = None) -> str:
    """What `join` says once its screen closes: how the run ended, or that it goes on and how to come back (with the
    `--known-hosts` it was given: without it the way back checked another file, and asked to trust the session anew)."""
    if state.finished:
        ended = ended_words(state)
        return visible_line(f"runbook-tui: the run ended: {ended}")  # a participant's name may hold escapes
    again = ["join", address, *(["--observe"] if observe else []), *(["--identity", identity] if identity else [])]
    again += ["--known-hosts", known_hosts] if known_hosts else []  # the program as started: it runs as printed
    return f"runbook-tui: you left the session; the run goes on. To come back: {visible_line(f'{invocation()} {shlex.join(again)}')}"


def _shown(host: str, port: int) -> str:
    """HOST:PORT as it is typed: an IPv6 address in brackets (`::1:2222` read as another address)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
