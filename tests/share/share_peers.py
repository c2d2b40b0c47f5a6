"""Real peers for the shared-session tests: `runbook-tui exec|run --share` as a process, keys, a TCP cutter.

Nothing of the share layer is mocked: the assignee is a real `runbook-tui`
process listening with its asyncssh server on loopback, and the verifier is
a real SSH client (`ShareClient`, or `runbook-tui join`). Keys are real
ed25519 key pairs in OpenSSH format, their comments naming the people.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import pty
import re
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from written_lines import written_events

from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import RunState, replay
from runbook_tui.share.client import Endpoint, ShareClient, fetch_host_key, trust

CLI = [sys.executable, "-m", "runbook_tui"]
#: A child with no ssh-agent: it signs with the key files it is given, or not at all.
NO_AGENT = {"SSH_AUTH_SOCK": ""}
HOST = "127.0.0.1"

#: Two quick steps, each confirmed by the verifier after it ran (verify: after is the default).
TWO_STEPS = """\
runbook: 1
id: share-test
title: Shared run
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Step one
        run: echo one
        undo: echo undo-one
      - id: two
        title: Step two
        run: echo two
        undo: echo undo-two
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def make_key(directory: Path, name: str, comment: str | None = None) -> Path:
    """An ed25519 key pair `directory/name` and `name.pub`, the comment naming the person."""
    path = directory / name
    key = asyncssh.generate_private_key("ssh-ed25519", comment=comment if comment is not None else name)
    key.write_private_key(str(path))
    key.write_public_key(str(path) + ".pub")
    path.chmod(0o600)
    return path


def journal(path: Path) -> list[dict[str, Any]]:
    """The journal's events as participants could see them, checked (hash chain, sequence) as `resume` reads them.

    Without the closing `share_closed`, nor the leaves of those still connected written just before it: the server
    journals them after everyone was disconnected (`journal_lines` has every line).
    """
    read = read_events(path)
    assert not read.problems and read.unreadable is None, (read.problems, read.unreadable)
    events = read.events
    if events and events[-1]["type"] == "share_closed":
        events = events[:-1]
        while events and events[-1]["type"] == "participant_left":
            events = events[:-1]
    return events


def of_type(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind]


def journal_state(path: Path) -> RunState:
    return replay(journal(path))


@dataclass
class Shared:
    """A `runbook-tui exec ... --share` process; its stdout and stderr go to files."""

    proc: subprocess.Popen[bytes]
    port: int
    journal: Path
    out: Path
    err: Path
    fingerprint: str = ""

    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    async def wait_for_output(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = re.search(pattern, self.stdout())
            if found:
                return found
            if self.proc.poll() is not None:
                break
            await asyncio.sleep(0.02)
        pytest.fail(f"no /{pattern}/ on the assignee's stdout (exit {self.proc.poll()}):\n{self.stdout()}\n{self.stderr()}")

    async def port_taken(self, timeout: float = 30) -> bool:
        """Whether the run ended at once because its port was taken (it printed its fingerprint, or ended otherwise: False)."""
        await until(lambda: self.proc.poll() is not None or "host key SHA256:" in self.stdout(), timeout, "the share to listen or end")
        return self.proc.poll() is not None and "cannot listen there: Address already in use" in self.stderr()

    async def exit_code(self, timeout: float = 15) -> int:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            code = self.proc.poll()
            if code is not None:
                return code
            await asyncio.sleep(0.02)
        pytest.fail(f"the assignee's process did not end within {timeout:g}s:\n{self.stdout()}\n{self.stderr()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Lab:
    """One test's folder: keys, runbooks, a state folder (the session host key) and known_hosts."""

    root: Path
    started: list[Shared] = field(default_factory=list)

    @property
    def state_home(self) -> Path:
        return self.root / "xdg-state"

    @property
    def host_key_path(self) -> Path:
        return self.state_home / "runbook-tui" / "share_host_key"

    @property
    def known_hosts(self) -> Path:
        return self.root / "known_hosts"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS")}
        env.update(XDG_STATE_HOME=str(self.state_home), XDG_CONFIG_HOME=str(self.root / "xdg-config"), RUNBOOK_TUI_USER="alice")
        env.update(extra)
        return env

    def key(self, name: str, comment: str | None = None) -> Path:
        return make_key(self.root, name, comment)

    def runbook(self, text: str = TWO_STEPS, name: str = "R.yaml") -> Path:
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        return path

    async def share(
        self,
        runbook: Path,
        *share_args: str,
        port: int | None = None,
        journal_name: str = "J.jsonl",
        env: dict[str, str] | None = None,
        wrap: tuple[str, ...] = (),
    ) -> Shared:
        """Start `WRAP... runbook-tui exec RUNBOOK --share 127.0.0.1:PORT SHARE_ARGS...`; returns once it prints its fingerprint.

        A port picked here (`port` None) can be taken by another test's process between the pick and the bind: then the
        run refused it before writing anything (`cannot listen there: Address already in use`) and starts again on another."""
        path = self.root / journal_name
        out, err = self.root / f"{journal_name}.out", self.root / f"{journal_name}.err"
        for _ in range(3 if port is None else 1):
            chosen = port or free_port()
            with out.open("wb") as stdout, err.open("wb") as stderr:
                proc = subprocess.Popen(
                    [*wrap, *CLI, "exec", str(runbook), "--share", f"{HOST}:{chosen}", "--journal", str(path), *share_args],
                    cwd=self.root, env=self.env(**(env or {})), stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                )  # fmt: skip
            shared = Shared(proc, chosen, path, out, err)
            self.started.append(shared)
            if not await shared.port_taken():
                break
            self.started.remove(shared)
        found = await shared.wait_for_output(r"shared at \S+, host key (SHA256:\S+)")
        shared.fingerprint = found.group(1)
        return shared

    async def trust(self, fingerprint: str, port: int) -> None:
        """First contact as `join` makes it: fetch the host key, check its fingerprint against the one shown, trust it."""
        key = await fetch_host_key(HOST, port)
        assert key is not None and key.get_fingerprint() == fingerprint
        trust(str(self.known_hosts), HOST, port, key)

    def client(self, identity: Path, port: int, *, observe: bool = False, delays: tuple[float, ...] = (0.1, 0.2, 0.3)) -> ShareClient:
        return ShareClient(Endpoint(HOST, port, str(self.known_hosts), str(identity), observe), reconnect_delays=delays)

    def join(self, address: str, *args: str, timeout: float = 30, terminal: bool = False) -> subprocess.CompletedProcess[str]:
        """`runbook-tui join ADDR ARGS...` run to its end, with stdin not a terminal (nobody to ask), or on a pseudo-terminal
        (`terminal`: as a verifier starts it, its screen shown; what it drew is its stdout)."""
        if not terminal:
            return subprocess.run(
                [*CLI, "join", address, "--known-hosts", str(self.known_hosts), *args],
                cwd=self.root, env=self.env(), capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        with self.joined_in_a_terminal(address, *args) as (joining, screen):
            _out, err = joining.communicate(timeout=timeout)
            os.set_blocking(screen, False)
            drawn = b""
            with contextlib.suppress(OSError):  # EAGAIN: all read; EIO: the terminal closed with the process
                while chunk := os.read(screen, 65536):
                    drawn += chunk
        return subprocess.CompletedProcess(joining.args, joining.returncode, drawn.decode(errors="replace"), err.decode(errors="replace"))

    @contextlib.contextmanager
    def joined_in_a_terminal(self, address: str, *args: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
        """`runbook-tui join ADDR ARGS...` on a pseudo-terminal (80x24: its screen needs one), ended on leaving: the process
        and the terminal's other end (what it draws)."""
        screen, terminal = pty.openpty()
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        joining = subprocess.Popen(
            [*CLI, "join", address, "--known-hosts", str(self.known_hosts), *args],
            cwd=self.root, env=self.env(), stdin=terminal, stdout=terminal, stderr=subprocess.PIPE,
        )  # fmt: skip
        os.close(terminal)
        try:
            yield joining, screen
        finally:
            joining.terminate()
            try:
                joining.wait(30)  # (5 s ran out once at load 30: a Python start and a Textual exit)
            except subprocess.TimeoutExpired:
                joining.kill()
                joining.wait()
                raise AssertionError("join did not end within 30 s of a SIGTERM") from None
            finally:
                os.close(screen)

    def close(self) -> None:
        for shared in self.started:
            shared.stop()
        # A step held on `gate` in this folder (test_night_flows) runs detached on the "host" and outlives a killed
        # client: opened at the end, whatever the test did, so a failed test leaves no command looping behind it.
        (self.root / "gate").touch()


async def until(predicate: Callable[[], bool], timeout: float = 10, what: str = "condition") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"timed out after {timeout:g}s waiting for {what}")


async def start_shared(lab: Lab, name: str, args: Sequence[str], keys: Sequence[str], env: Mapping[str, str]) -> tuple[subprocess.Popen[bytes], Path, int]:
    """`runbook-tui ARGS --share HOST:PORT KEYS` in the lab's folder, its output in NAME.out: the process, that file and
    the port, once it listens and its host key is trusted in the lab's known_hosts."""
    port, out = free_port(), lab.root / f"{name}.out"
    with out.open("wb") as stdout:
        proc = subprocess.Popen(
            [*CLI, *args, "--share", f"{HOST}:{port}", *keys], cwd=lab.root, env=dict(env),
            stdout=stdout, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    await until(lambda: "shared at" in out.read_text() or proc.poll() is not None, 30, f"{name} to listen")
    found = re.search(r"host key (SHA256:\S+)", out.read_text())
    assert found, out.read_text()
    await lab.trust(found.group(1), port)
    return proc, out, port


THREE_STEPS = (
    TWO_STEPS
    + """\
      - id: three
        title: Step three
        run: echo three
        undo: echo undo-three
"""
)


async def bob_and_carol(lab: Lab) -> tuple[Shared, ShareClient, ShareClient, list[asyncio.Task[None]]]:
    """A shared run of THREE_STEPS with two verifiers' keys (bob, carol), both joined and following: a shift change."""
    bob, carol = lab.key("bob"), lab.key("carol")
    shared = await lab.share(lab.runbook(THREE_STEPS), "--verifier-key", f"{bob}.pub", "--verifier-key", f"{carol}.pub")
    await lab.trust(shared.fingerprint, shared.port)
    first, second = lab.client(bob, shared.port), lab.client(carol, shared.port)
    return shared, first, second, [asyncio.create_task(c.run()) for c in (first, second)]


def awaiting(client: ShareClient) -> str | None:
    """The step the replica shows waiting for the verifier, if any."""
    state = client.state
    sid = state.current
    return sid if sid is not None and state.steps[sid].status == "awaiting_verification" else None


async def confirm_next(client: ShareClient, step: str | None = None, timeout: float = 10) -> str:
    """Wait until a step (`step`, if given) waits for the verifier, confirm it, and wait until the replica shows it confirmed.

    Name the step when another client confirmed the previous one: this replica may not have seen that yet.
    """
    await until(lambda: awaiting(client) is not None and step in (None, awaiting(client)), timeout, f"{step or 'a step'} waiting for the verifier")
    sid = awaiting(client)
    assert sid is not None
    reply = await client.send("confirm")
    assert reply.ok, reply.message
    await until(lambda: client.state.steps[sid].status != "awaiting_verification", timeout, f"the replica to show '{sid}' confirmed")
    return sid


FLOOD_HELPER = Path(__file__).with_name("flood_helper.py")


@contextlib.asynccontextmanager
async def flooding(port: int, connections: int, attempts: int, seconds: float, sources: int = 1) -> AsyncIterator[None]:
    """flood_helper.py's idle connections without a key (another process) against the share at PORT: entered once it
    floods, stopped on leaving."""
    flood = subprocess.Popen(
        [sys.executable, str(FLOOD_HELPER), str(port), str(connections), str(attempts), str(seconds), str(sources)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert flood.stdout is not None
        said = await asyncio.wait_for(asyncio.to_thread(flood.stdout.readline), 60)
        assert said.strip() == "flooding", flood.stderr.read() if flood.stderr else ""
        yield
    finally:
        if flood.poll() is None:
            flood.communicate("", timeout=30)


async def confirm_both_to_the_end(verifier: ShareClient, shared: Shared, timeout: float = 30) -> None:
    """`verifier` follows a run of TWO_STEPS (connected already, or connecting now), confirms 'one' and 'two', and the
    shared run exits 0."""
    following = asyncio.create_task(verifier.run())
    await confirm_next(verifier, "one", timeout=timeout)
    await confirm_next(verifier, "two", timeout=timeout)
    assert await shared.exit_code(timeout) == 0, shared.stderr()
    await asyncio.wait_for(following, 10)


def statuses(state: RunState) -> dict[str, str]:
    return {sid: step.status for sid, step in state.steps.items()}


class Cutter:
    """A loopback TCP relay between a client and the session that the test can cut and restore.

    `cut()` aborts every relayed connection at once (both sockets reset, no
    SSH goodbye) and stops listening, so reconnect attempts are refused;
    `restore()` listens again on the same port. `freeze()` is the silent
    kind of failure (a NAT timeout, a laptop changing networks): the relayed
    connections stay open but nothing crosses them any more, while new
    connections relay normally.
    """

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._frozen: set[asyncio.StreamWriter] = set()
        self.accepted = 0
        self.swallowed = 0  # bytes a freeze kept from their destination

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._relay, HOST, self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._links):
            sock = writer.get_extra_info("socket")
            if sock is not None and sock.fileno() != -1:  # a reset, not an orderly close (unless it closed already)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            writer.transport.abort()
        self._links.clear()
        self._frozen.clear()

    def freeze(self) -> None:
        self._frozen |= self._links

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(HOST, self.target)
        except OSError:
            writer.transport.abort()
            return
        self._links |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    if dst in self._frozen:
                        self.swallowed += len(data)
                        continue  # swallowed: the peers hear nothing, and no reset either
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._links -= {writer, up_writer}

    async def close(self) -> None:
        await self.cut()


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("RUNBOOK_TUI_USER", raising=False)
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    made = Lab(tmp_path)
    yield made
    made.close()


def journal_lines(path: Path) -> list[dict[str, Any]]:
    """Every whole line, unchecked (for a journal being written: a line torn by the read is left out, as readers do)."""
    return written_events(path)


def allowed_signers(lab: Lab, *people: tuple[str, Path]) -> Path:
    """An OpenSSH allowed_signers file giving each person their key."""
    path = lab.root / "allowed_signers"
    path.write_text("".join(f"{who} {' '.join(Path(f'{key}.pub').read_text().split()[:2])}\n" for who, key in people))
    return path


def journal_verify(lab: Lab, journal_path: Path, allowed: Path | None) -> subprocess.CompletedProcess[str]:
    """`runbook-tui journal verify JOURNAL [--allowed-signers FILE]` as a user runs it."""
    extra = ["--allowed-signers", str(allowed)] if allowed else []
    return subprocess.run([*CLI, "journal", "verify", str(journal_path), *extra], cwd=lab.root, env=lab.env(**NO_AGENT), capture_output=True, text=True)


def write_recomputed(path: Path, events: list[dict[str, Any]]) -> None:
    """What the README says anyone can do: recompute every hash and prev after an edit."""
    prev = ""
    with path.open("w", encoding="utf-8") as out:
        for event in events:
            event = {k: v for k, v in event.items() if k != "hash"} | {"prev": prev}
            body = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            event["hash"] = prev = hashlib.sha256(body.encode()).hexdigest()
            out.write(json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
