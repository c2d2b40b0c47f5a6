"""The follow script on its own, under each `sh` a host may have: dash (Debian, Ubuntu) and bash as `sh` (RHEL, Fedora).

No sshd: the script gets its stdin and gives its streams as over a session,
so what is checked is the shell's part: a quick command's whole result comes
back without the client asking for live output (`t`), whichever shell runs
it (the wrapper's line into the session's stdin ends the script's wait;
a SIGCHLD trap, tried before, interrupts dash's `read` but not bash's);
that a session whose stdin is a socket still ends at the client's `t`;
and that the command inherits no descriptor of the session.
"""

from __future__ import annotations

import os
import selectors
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from ssh_helpers import path_without_flock

from runbook_tui.engine.ports import Command
from runbook_tui.execute.ssh_scripts import dir_expr, follow_script, kill_script, wrapper_script
from runbook_tui.runbook.model import Host, Mark

#: What runs the script: `sh` is dash on Debian and Ubuntu, bash (in POSIX mode, as when started as `sh`) on RHEL and Fedora.
SHELLS = ("dash", "bash --posix")


def _read_until(proc: subprocess.Popen[bytes], marks: dict[str, bytes], within: float) -> dict[str, bytes]:
    """Both streams until each holds its trailer, or fail after `within` seconds."""
    assert proc.stdout is not None and proc.stderr is not None
    got = {"stdout": b"", "stderr": b""}
    streams = selectors.DefaultSelector()
    streams.register(proc.stdout, selectors.EVENT_READ, "stdout")
    streams.register(proc.stderr, selectors.EVENT_READ, "stderr")
    deadline = time.monotonic() + within
    while not all(marks[name] in got[name] for name in marks):
        left = deadline - time.monotonic()
        assert left > 0, f"no whole result within {within} s without the client's `t`: {got}"
        for key, _ in streams.select(left):
            chunk = os.read(key.fd, 65536)
            if not chunk:
                streams.unregister(key.fileobj)
            got[key.data] += chunk
    return got


class _Session:
    """The follow script of one fresh run under `shell`, fed and read as over an SSH session (stdin a pipe, or a socket)."""

    def __init__(
        self, shell: str, runs: Path, command: str, *, socket_stdin: bool = False, env: tuple[tuple[str, str], ...] = (), under: tuple[str, ...] = ()
    ) -> None:
        """`env`: the command's; `under`: what runs the shell (`setpriv ...`), as sshd runs the login shell."""
        words = shell.split()
        path = shutil.which(words[0])
        assert path, f"{words[0]} is not installed (scripts/test installs dash and bash)"
        host = Host(name="h", address="127.0.0.1", mark=Mark("<test>", 1, 1))
        wrapper = wrapper_script(Command(host=host, command=command, key="s/quick/1", env=env)).encode()
        script = follow_script(dir_expr(str(runs), "quick"), start=True, wrapper_size=len(wrapper))
        self.token = uuid.uuid4().hex
        self.mark = b"\0" + self.token.encode()
        ours, theirs = socket.socketpair() if socket_stdin else (None, None)
        stdin = theirs.fileno() if theirs is not None else subprocess.PIPE
        self.proc = subprocess.Popen([*under, path, *words[1:], "-c", script], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if theirs is not None:
            theirs.close()
        self._socket = ours
        self.send(f"{self.token}\n".encode() + wrapper + f"{self.token}\n".encode())

    def send(self, data: bytes) -> None:
        if self._socket is not None:
            self._socket.sendall(data)
        else:
            assert self.proc.stdin is not None
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def result(self, trailers: dict[str, bytes], *, ask: bool = False) -> dict[str, bytes]:
        """Both streams up to their trailers (after a `t` when `ask`), then `done`: the script removes the run's files and ends."""
        try:
            if ask:
                self.send(b"t\n")
            got = _read_until(self.proc, {name: self.mark + b" " + tail for name, tail in trailers.items()}, within=10)
            self.send(b"done\n")
            if self._socket is not None:
                self._socket.shutdown(socket.SHUT_WR)
            elif self.proc.stdin is not None:
                self.proc.stdin.close()
            assert self.proc.wait(timeout=10) == 0
            return got
        finally:
            self.proc.kill()
            self.proc.wait()
            if self._socket is not None:
                self._socket.close()


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """The runs folder, as the executor makes it (mode 700)."""
    folder = tmp_path / "runs"
    folder.mkdir(mode=0o700)
    return folder


@pytest.mark.parametrize("shell", SHELLS)
def test_a_quick_result_comes_whole_without_asking_for_live_output(shell: str, runs: Path) -> None:
    session = _Session(shell, runs, "echo out; echo err >&2; exit 3")
    got = session.result({"stdout": b"end 3\n", "stderr": b"end\n"})
    mark = session.mark
    assert got["stdout"].split(b"\n", 1)[1] == b"out\n" + mark + b" end 3\n"
    assert got["stderr"] == mark + b" err\nerr\n" + mark + b" end\n"
    assert list(runs.iterdir()) == [], "the run's files are removed once acknowledged"


@pytest.mark.parametrize("flock", [True, False], ids=["flock", "no flock"])
@pytest.mark.parametrize("shell", SHELLS)
def test_what_children_write_after_the_exit_is_in_the_result(shell: str, runs: Path, tmp_path: Path, flock: bool) -> None:
    """Two children left in the background, one holding the command's stdout alone, one its stderr alone: the result
    waits for both, through flock locks where `flock` works, through /proc where there is none (`ssh_drain.DRAIN`)."""
    env = () if flock else (("PATH", path_without_flock(tmp_path)),)
    text = "(sleep 0.9; echo late-err >&2) >/dev/null & (sleep 0.3; echo late) 2>/dev/null & echo early"
    session = _Session(shell, runs, text, env=env)
    got = session.result({"stdout": b"end 0\n", "stderr": b"end\n"})
    mark = session.mark
    assert got["stdout"].split(b"\n", 1)[1] == b"early\nlate\n" + mark + b" end 0\n"
    assert got["stderr"] == mark + b" err\nlate-err\n" + mark + b" end\n"


@pytest.mark.parametrize("shell", SHELLS)
def test_what_a_child_running_as_another_user_writes_after_the_exit_is_in_the_result(shell: str, runs: Path) -> None:
    """A `sudo` step's child runs as root where the session's user cannot read its fds in /proc (here: the session as
    root without CAP_SYS_PTRACE, the child as nobody): the look in /proc missed it and its output ended at the
    command's exit; it holds the output's open file description, and with it the lock the wait is for."""
    child = "setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'sleep 0.5; echo late' & echo early"
    session = _Session(shell, runs, child, under=("setpriv", "--bounding-set=-sys_ptrace", "--inh-caps=-sys_ptrace"))
    got = session.result({"stdout": b"end 0"})
    assert got["stdout"].split(b"\n", 1)[1] == b"early\nlate\n" + session.mark + b" end 0 noerr\n"


@pytest.mark.parametrize("shell", SHELLS)
def test_on_a_socket_stdin_the_clients_t_ends_the_wait(shell: str, runs: Path) -> None:
    """A server that gives a session a socket, not a pipe: the wrapper cannot write into it; the client's `t` still ends the wait."""
    session = _Session(shell, runs, "echo out; exit 4", socket_stdin=True)
    got = session.result({"stdout": b"end 4"}, ask=True)
    assert b"out\n" + session.mark + b" end 4" in got["stdout"]
    assert list(runs.iterdir()) == []


@pytest.mark.parametrize("shell", SHELLS)
def test_the_command_holds_no_descriptor_of_the_session(shell: str, runs: Path) -> None:
    """Only stdin (/dev/null), stdout and stderr (the run's files): a daemon the command leaves keeps no pipe of the session open."""
    session = _Session(shell, runs, "ls /proc/$$/fd")
    got = session.result({"stdout": b"end 0"})
    mark = session.mark
    assert got["stdout"].split(b"\n", 1)[1] == b"0\n1\n2\n" + mark + b" end 0 noerr\n"


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("line", ["pid 1 1", "pid 0 0", "pid 4242 1", "pid 1", "pid -1 -1", "pid 4242 x", "pid $(id) 7"])
def test_a_pid_line_naming_no_process_group_signals_nothing(shell: str, runs: Path, line: str) -> None:
    """The command can write to `.run`; a timeout's kill must not take `pid 1 1` at its word (`kill -TERM -1`: every process of the user).

    `kill` is replaced by a function that only records its arguments, so a failure here signals nothing either.
    Before: `kill -TERM -1` (or `-0`, the kill script's own group), exit 0 (`stopped`).
    """
    prefix = runs / "run"
    Path(f"{prefix}.run").write_text(f"0022\n{line}\n", encoding="utf-8")
    log = runs.parent / "kills"
    fake = f'kill() {{ echo "kill $*" >> {log}; return 1; }}\n'
    words = shell.split()
    done = subprocess.run([*words, "-c", fake + kill_script(0.1), "sh", str(prefix)], capture_output=True, text=True, timeout=10)
    assert not log.exists(), f"signalled: {log.read_text()}"
    assert done.returncode == 1
    assert done.stderr.rstrip() == f"{prefix}.run names no process group to stop: {line}", done.stderr
    assert Path(f"{prefix}.run").exists(), "the files stay: the command may still be running"


@pytest.mark.parametrize("shell", SHELLS)
def test_a_pid_line_naming_a_group_is_signalled(shell: str, runs: Path) -> None:
    prefix = runs / "run"
    Path(f"{prefix}.run").write_text("0022\npid 4242 4240\n", encoding="utf-8")
    log = runs.parent / "kills"
    fake = f'kill() {{ echo "kill $*" >> {log}; return 1; }}\n'
    words = shell.split()
    done = subprocess.run([*words, "-c", fake + kill_script(0.1), "sh", str(prefix)], capture_output=True, text=True, timeout=10)
    assert (done.returncode, done.stderr) == (0, "")
    assert log.read_text() == "kill -TERM -4240\n"


@pytest.mark.parametrize("shell", SHELLS)
def test_a_pid_line_of_another_boot_of_the_host_signals_nothing(shell: str, runs: Path) -> None:
    """A `.run` written before the host restarted names numbers the restart freed: another process may hold them now.
    Its group must not be stopped (before, a timeout or a person's stop sent it TERM, then KILL); the command is gone."""
    boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    other = ("0" if boot[0] != "0" else "1") + boot[1:]
    prefix = runs / "run"
    log = runs.parent / "kills"
    fake = f'kill() {{ echo "kill $*" >> {log}; return 1; }}\n'
    for pid_line, signalled in ((f"pid 4242 4240 {other}", False), (f"pid 4242 4240 {boot}", True)):
        Path(f"{prefix}.run").write_text(f"0022\n{pid_line}\n", encoding="utf-8")
        log.unlink(missing_ok=True)
        done = subprocess.run([*shell.split(), "-c", fake + kill_script(0.1), "sh", str(prefix)], capture_output=True, text=True, timeout=10)
        assert (done.returncode, done.stderr) == (0, ""), pid_line
        assert log.exists() == signalled, (pid_line, log.read_text() if log.exists() else "nothing signalled")


def test_a_run_whose_wrapper_died_before_writing_its_pid_is_said_lost_not_unstarted(runs: Path) -> None:
    """`kill -TERM 0` in a command can end the follow session before it writes `pid`: the next session finds `.run` alone.

    Its header must say `lost` (the executor: "ended without recording an exit status or its pid"), not `fail`, which
    reads as "could not start the command" of a command that ran (seen once in CI). The poll gives up after 5 s.
    """
    Path(f"{runs}/quick.run").write_text("0022\n", encoding="utf-8")
    session = _Session("dash", runs, "echo never")
    try:
        got = _read_until(session.proc, {"stdout": session.mark + b" lost\n"}, within=30)  # the poll gives up after 5 s: room for a loaded machine
    finally:
        session.proc.kill()
        session.proc.wait()
    assert got["stdout"] == session.mark + b" lost\n", got


def _logged_flock(tmp_path: Path) -> tuple[str, Path]:
    """A `PATH` (a command's env) whose `flock` writes its arguments into the returned log, then is the real one."""
    real = shutil.which("flock")
    assert real, "flock is not installed"
    log = tmp_path / "flocks"
    return path_without_flock(tmp_path, f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n'), log


@pytest.mark.parametrize("shell", SHELLS)
def test_a_command_that_left_no_process_behind_takes_no_lock(shell: str, runs: Path, tmp_path: Path) -> None:
    """The wait for late output looks first at the processes made since the command began (`ssh_drain`, `alone`): none
    alive holding the output, so no `flock` starts (four programs a command before, the fan-out's largest cost on the
    host). A child that keeps the output is found by that look, and then waited for through the locks."""
    path, log = _logged_flock(tmp_path)
    quick = []
    for _ in range(3):  # the look gives way to the locks when in doubt (a busy host): one of three on a loaded machine
        session = _Session(shell, runs, "echo out", env=(("PATH", path),))
        assert session.result({"stdout": b"end 0"})["stdout"].split(b"\n", 1)[1] == b"out\n" + session.mark + b" end 0 noerr\n"
        quick.append(not log.exists())
        log.unlink(missing_ok=True)
    assert any(quick), "every quick command took the locks"
    session = _Session(shell, runs, "(sleep 0.5; echo late) 2>/dev/null & echo early", env=(("PATH", path),))
    got = session.result({"stdout": b"end 0"})
    assert got["stdout"].split(b"\n", 1)[1] == b"early\nlate\n" + session.mark + b" end 0 noerr\n"
    assert log.exists(), "the child holding the output was not seen"


@pytest.mark.parametrize("shell", SHELLS)
def test_a_child_holding_the_output_on_another_descriptor_is_found_by_the_look(shell: str, runs: Path, tmp_path: Path) -> None:
    """The look at the processes made since the command began compares only their descriptors on regular files with
    the output (a pipe, a socket, /dev/null: two looks, not five): a child that moved the output to its fd 3 and
    closed 1 and 2 is still found, and its late line waited for through the locks."""
    path, log = _logged_flock(tmp_path)
    session = _Session(shell, runs, "(exec 3>&1 >/dev/null 2>&1; sleep 0.5; echo late >&3) & echo early", env=(("PATH", path),))
    got = session.result({"stdout": b"end 0"})
    assert got["stdout"].split(b"\n", 1)[1] == b"early\nlate\n" + session.mark + b" end 0 noerr\n"
    assert log.exists(), "the child holding the output on its fd 3 was not seen"


@pytest.mark.parametrize("name", ["D", "t0", "l0", "IFS"])
@pytest.mark.parametrize("shell", SHELLS)
def test_a_step_env_naming_the_wrappers_own_variables_keeps_its_value_and_the_exit_status(shell: str, runs: Path, name: str) -> None:
    """The wrapper exports the step's env before the command and reads its own `D` (the run's files), `t0` and `l0`
    (the wait's) after it, splitting by `IFS`: the command's environment holds the step's value, and the exit status and the late
    output are the command's. Before, `env: {D: ...}` ended every run `without recording an exit status` (its `rc` went
    into `VALUE.run`)."""
    shown = "" if name == "IFS" else f"printenv {name}; "  # (a shell sets its own IFS whatever its environment holds)
    session = _Session(shell, runs, f"(sleep 0.5; echo late) 2>/dev/null & {shown}exit 3", env=((name, "x"),))
    got = session.result({"stdout": b"end 3"})
    assert got["stdout"].split(b"\n", 1)[1] == (b"x\n" if shown else b"") + b"late\n" + session.mark + b" end 3 noerr\n"
