"""A new user's first commands and a tired user's mistakes, each as a whole `runbook-tui` process: what was wrong and
what to do, on stderr, exit 2 (invalid input), never a traceback."""

from __future__ import annotations

import contextlib
import fcntl
import http.server
import os
import pty
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest
from prompt_wait import until_reading

from runbook_tui.cli.parser import COMMANDS

CLI = [sys.executable, "-m", "runbook_tui"]

RUNBOOK = """\
runbook: 1
id: first
title: First
params:
  version: {type: string, required: true, pattern: '^\\d+\\.\\d+$', description: "The release, like 15.6"}
  conf_file: {type: string, default: /etc/x.conf}
sections:
  - id: checks
    title: Checks
    kind: precheck
    steps:
      - id: one
        title: One
        run: echo {{ version }}
"""


def cli(*args: str, cwd: Path, columns: int = 200) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([*CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


@pytest.fixture
def here(tmp_path: Path) -> Path:
    (tmp_path / "rb.yaml").write_text(RUNBOOK, encoding="utf-8")
    return tmp_path


def refused(done: subprocess.CompletedProcess[str], *said: str) -> None:
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr and not done.stdout, done
    for words in said:
        assert words in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["vaildate", "rb.yaml"], ["unknown command 'vaildate'; did you mean 'validate'?", "runbook-tui --help lists the commands"]),
        (["plan", "rb.yaml", "--jsno"], ["usage: runbook-tui plan", "unknown option --jsno (runbook-tui plan --help lists its options); did you mean --json?"]),
        (["run", "rb.yaml", "--sollo", "x"], ["usage: runbook-tui run", "did you mean --solo?"]),
        (["journal", "verify", "j.jsonl", "--allowed-signer-file", "s"], ["usage: runbook-tui journal verify", "runbook-tui journal verify --help"]),
        # `-p version =1.2`: the shell made two words of one
        (["plan", "rb.yaml", "-p", "version", "=1.2"], ["unexpected '=1.2': give -p NAME=VALUE as one word, without spaces around '='"]),
        (["plan", "rb.yaml", "other.yaml"], ["unexpected argument 'other.yaml' (runbook-tui plan --help lists what it takes"]),
        # a choice misspelt: argparse listed the choices; the nearest is named too
        (["new", "x.yaml", "--kind", "config"], ["invalid choice: 'config'", "did you mean 'config-edit'?"]),
        (["exec", "rb.yaml", "--solo", "t", "--on-failure", "rolback"], ["did you mean 'rollback'?"]),
    ],
    ids=["command", "option", "run-option", "nested", "spaced-equals", "second-file", "kind", "on-failure"],
)
def test_a_misspelt_command_or_option_is_named_with_the_nearest_under_its_commands_usage(here: Path, argv: list[str], said: list[str]) -> None:
    """Before: `usage: runbook-tui [-h] [--version] COMMAND ...` (no option of the command in it) and `unrecognized
    arguments: --jsno`; a misspelt command listed all fifteen."""
    refused(cli(*argv, cwd=here), *said)


def test_every_help_fits_80_columns(here: Path) -> None:
    """Before: `new --help` was 108 columns wide (its five kinds in the usage line)."""
    for argv in [[], *([name] for name in COMMANDS), ["journal", "verify"]]:
        shown = cli(*argv, "--help", cwd=here, columns=80)
        assert shown.returncode == 0, shown
        wide = [line for line in shown.stdout.splitlines() if len(line) > 80]
        assert not wide, f"runbook-tui {' '.join(argv)} --help: {wide}"
    assert "config-edit, package-upgrade, database-migration, rolling-restart or k8s-rollout" in cli("new", "--help", cwd=here).stdout.replace("\n", " ")


def test_a_value_refused_by_its_pattern_shows_the_pattern_as_written_and_what_is_expected(here: Path) -> None:
    """Before: nothing of the parameter's description, which says what to type."""
    done = cli("plan", "rb.yaml", "-p", "version=15-6", cwd=here)
    refused(done, "parameter 'version': '15-6' does not match the pattern '^\\d+\\.\\d+$'; expected a value it matches (The release, like 15.6)")
    assert "\\\\" not in done.stderr


def test_an_unknown_parameter_names_the_nearest_declared_one(here: Path) -> None:
    refused(
        cli("plan", "rb.yaml", "-p", "version=1.2", "-p", "conf_fil=/a", cwd=here),
        "unknown parameter 'conf_fil' (this runbook declares: conf_file, version); expected one of those; did you mean 'conf_file'?",
    )


@pytest.mark.parametrize("argv", [["report", "rb.yaml"], ["resume", "rb.yaml"], ["replay", "rb.yaml"], ["journal", "verify", "rb.yaml"]], ids=lambda a: a[0])
def test_a_runbook_given_for_a_journal_says_so_and_where_journals_are(here: Path, argv: list[str]) -> None:
    """Before: `rb.yaml: line 1 is not JSON: expected a runbook-tui journal`, not saying what the file is or where to look."""
    journals = Path(os.environ["XDG_STATE_HOME"]) / "runbook-tui" / "journals"
    command = " ".join(argv[:-1])
    refused(cli(*argv, cwd=here), f"{command}: rb.yaml is a runbook, not a journal", f"by default in {journals}/")


def test_a_pipe_given_for_a_journal_is_left_for_the_command_to_read(here: Path) -> None:
    """The look at the file's head reads regular files only: a pipe's lines would be gone for the report."""
    journal = here / "j.jsonl"
    made = cli("exec", "rb.yaml", "-p", "version=1.2", "--solo", "first look", "--journal", str(journal), cwd=here)
    assert made.returncode == 0, made
    shown = subprocess.run(
        ["sh", "-c", f'{" ".join(CLI)} report /dev/stdin < "$0"', str(journal)], cwd=here, capture_output=True, text=True, timeout=60
    )  # fmt: skip
    assert shown.returncode == 0 and "First" in shown.stdout, shown


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def web_server() -> Iterator[int]:
    class Quiet(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_join_to_a_port_nothing_listens_on_says_so(here: Path) -> None:
    """Before: `[Errno 111] Connect call failed ('127.0.0.1', 1)`."""
    port = _closed_port()
    refused(cli("join", f"127.0.0.1:{port}", cwd=here), f"cannot reach the session at 127.0.0.1:{port}: nothing listens there (connection refused)")


def test_join_to_a_web_server_says_it_is_not_a_session_and_trusts_nothing(here: Path, web_server: int) -> None:
    """Before: `cannot reach the session at 127.0.0.1:PORT: Connection lost`."""
    known_hosts = here / "known_hosts"
    done = cli("join", f"127.0.0.1:{web_server}", "--known-hosts", str(known_hosts), cwd=here)
    refused(done, f"cannot reach the session at 127.0.0.1:{web_server}: what listens there does not speak SSH", "so it is not a runbook-tui session")
    assert not known_hosts.exists()


@pytest.mark.parametrize("kind", ["a character device", "a FIFO", "a directory"])
def test_join_with_known_hosts_that_is_not_a_file_is_refused_before_connecting(here: Path, kind: str) -> None:
    """`--known-hosts /dev/zero` against a live session read /dev/zero until 7 GB were taken; a FIFO hung: refused now,
    in words, before anything is reached (the settings' ssh.known_hosts was already checked so)."""
    path = {"a character device": "/dev/zero", "a FIFO": str(here / "fifo"), "a directory": str(here)}[kind]
    if kind == "a FIFO":
        os.mkfifo(path)
    done = cli("join", f"127.0.0.1:{_closed_port()}", "--known-hosts", path, cwd=here)
    refused(done, f"join --known-hosts {path}: expected a regular file, got {kind}; nothing was joined (give a known_hosts file, or a new name)")
    assert "cannot reach" not in done.stderr


def test_join_to_a_host_name_that_does_not_resolve_says_so(here: Path) -> None:
    refused(cli("join", "no-such-host.invalid:2222", cwd=here), "the host name no-such-host.invalid is not known (mistyped?)")


def _default_sigint() -> None:
    """In the child: ctrl-c as in a login shell. A pytest-xdist worker may ignore SIGINT or block it, and a child inherits both."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _on_a_terminal_interrupted_at(argv: list[str], prompt: bytes, cwd: Path) -> tuple[int, str]:
    """`runbook-tui ARGV` with stdin, stdout and stderr a pseudo-terminal, SIGINT (ctrl-c) once `prompt` shows: the
    exit code and everything the terminal showed."""
    screen, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen([*CLI, *argv], cwd=cwd, stdin=terminal, stdout=terminal, stderr=terminal, preexec_fn=_default_sigint)
    os.close(terminal)
    drawn, end = b"", time.monotonic() + 30
    try:
        while prompt not in drawn:
            assert time.monotonic() < end, f"{prompt!r} not shown within 30 s: {drawn[-400:]!r}"
            if select.select([screen], [], [], 1)[0]:
                drawn += os.read(screen, 4096)
        until_reading(proc.pid)  # as a person would: after the prompt, while the program waits for the answer
        proc.send_signal(signal.SIGINT)
        code = proc.wait(20)
        with contextlib.suppress(OSError):  # EIO: all read, the process's side closed
            while select.select([screen], [], [], 1)[0] and (chunk := os.read(screen, 4096)):
                drawn += chunk
    finally:
        proc.kill()
        proc.wait(5)
        os.close(screen)
    return code, drawn.decode(errors="replace").replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("argv", "prompt", "said"),
    [
        (["demo"], b"press enter to start (ctrl-c leaves) ", "\nrunbook-tui: demo: left before it started; nothing ran (its folder "),
        (["rehearse", "rb.yaml", "-p", "version=1.2"], b"Run them now? Type yes: ", "Type yes: \nrehearse: nothing was run\n"),
        (
            ["approve", "rb.yaml", "-p", "version=1.2", "--identity", "key", "-o", "rb.approval"],
            b"Type yes: ",
            "Type yes: \nnot approved: nothing was written\n",
        ),
    ],
    ids=lambda value: value[0] if isinstance(value, list) else None,
)
def test_ctrl_c_at_a_prompt_says_what_was_left_on_a_line_of_its_own(here: Path, argv: list[str], prompt: bytes, said: str) -> None:
    """Before: `Run them now? Type yes: ^Crehearse: nothing was run` (the words after the prompt), and the demo left
    without a word."""
    key = asyncssh.generate_private_key("ssh-ed25519", comment="alice")
    key.write_private_key(str(here / "key"))
    (here / "key").chmod(0o600)
    code, shown = _on_a_terminal_interrupted_at(argv, prompt, here)
    assert code == 1 and said in shown and "Traceback" not in shown, shown
    assert not (here / "rb.approval").exists()


def test_a_journal_of_another_run_given_to_a_new_run_names_that_run_and_both_ways_on(here: Path) -> None:
    """`--journal` reused from last night's command line. Before: `j.jsonl already holds a journal; use `runbook-tui
    resume j.jsonl` to continue it`: which run it holds unsaid, and nothing of how to start this one."""
    journal = here / "j.jsonl"
    made = cli("exec", "rb.yaml", "-p", "version=1.2", "--solo", "first look", "--journal", str(journal), cwd=here)
    assert made.returncode == 0, made
    before = journal.read_bytes()
    (here / "other.yaml").write_text(RUNBOOK.replace("id: first", "id: other"), encoding="utf-8")
    done = cli("exec", "other.yaml", "-p", "version=1.2", "--solo", "tonight", "--journal", str(journal), cwd=here)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done
    assert f"{journal} already holds a journal (of runbook 'first', started 20" in done.stderr
    assert f"for a new run give --journal a new file, or leave --journal out; to continue that run: runbook-tui resume {journal}" in done.stderr
    assert journal.read_bytes() == before


def test_the_command_alone_lists_the_commands_a_new_user_starts_with_first(here: Path) -> None:
    """Before: `runbook-tui: error: the following arguments are required: COMMAND`, and `--help` listed replay and
    join first, demo last."""
    done = cli(cwd=here)
    assert done.returncode == 2 and not done.stdout, done
    listed = [line.split()[0] for line in done.stderr.splitlines() if line.startswith("    ") and not line.startswith("     ")]
    assert listed[:4] == ["demo", "new", "validate", "plan"] and set(listed) == set(COMMANDS), listed
    assert done.stderr.endswith("runbook-tui: give a command; new here? runbook-tui demo\n")
