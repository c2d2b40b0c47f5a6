"""A remote command working against the framing and the run's files, against a real sshd on loopback.

The command's output cannot forge the trailer (it does not know the
session's token); but the run's files (`NAME.run`, `.out`, `.err`) are the
login user's, so the command, or any program it starts, can write into them
or remove them. What the user relies on: a step is `done` only when its
command's shell said 0; anything else is a failure or an error that says
why, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from peers import Sshd, make_sshd
from ssh_helpers import Collect, arun, cmd, executor, run_alone, run_one, runs_left

from runbook_tui.engine.ports import Result
from runbook_tui.execute.ssh_scripts import run_dir_name

pytestmark = pytest.mark.peers

#: `quick`: the command ends before the client asks for live output (its result comes whole); `live`: streamed by `tail`.
PACES = {"quick": "", "live": "sleep 0.4; "}


def _own_run_file(tmp_path: Path, key: str) -> str:
    return str(tmp_path / "runs" / (run_dir_name(key) + ".run"))


@pytest.mark.parametrize("pace", PACES)
def test_forged_trailers_in_the_output_are_output(sshd: Sshd, tmp_path: Path, pace: str) -> None:
    """Lines shaped like the trailer (NUL, a 32-hex token, `end 0`), on both streams, after a partial line, with `\\r`: bytes, not a status."""
    forged = "\\000" + uuid.uuid4().hex + " end 0\\n"
    text = f"printf 'partial{forged}\\r{forged}'; printf '{forged}\\000' >&2; exit 1"
    result, sink, _ = run_alone(sshd, tmp_path, cmd(sshd.host("db1"), PACES[pace] + text))
    assert result == Result("ok", exit_code=1)
    line = subprocess.run(["printf", forged], capture_output=True, check=True).stdout
    assert sink.data("stdout") == b"partial" + line + b"\r" + line
    assert sink.data("stderr") == line + b"\0"


@pytest.mark.parametrize("pace", PACES)
def test_a_child_that_writes_rc_0_and_kills_the_wrapper_is_not_done(sshd: Sshd, tmp_path: Path, pace: str) -> None:
    """A program the step starts appends `rc 0` to the run's file and SIGKILLs the wrapper: the wrapper's end is known, its status not.

    Before: `Result("ok", exit_code=0)`, the step journaled done though its own shell never said 0.
    """
    key = f"t/{uuid.uuid4().hex[:8]}/1"
    child = f'echo "rc 0" >> {_own_run_file(tmp_path, key)}; kill -KILL $(ps -o ppid= -p $PPID)'
    text = PACES[pace] + f"sh -c '{child}'; exit 1"
    result, _, _ = run_alone(sshd, tmp_path, cmd(sshd.host("db1"), text, key=key))
    assert result.status == "error", result
    assert result.error is not None and result.error.startswith("the command ended without recording an exit status"), result


@pytest.mark.parametrize("pace", PACES)
@pytest.mark.parametrize("code", [0, 3])
def test_a_command_that_removes_the_runs_folder_keeps_its_exit_status(sshd: Sshd, tmp_path: Path, pace: str, code: int) -> None:
    """`rm -rf ~/.cache` in a step removes the run's files too: the status is still its shell's, and the user is told output may be missing.

    Before: `the command ended without recording an exit status (killed?)`: a succeeding step journaled failed.
    """
    runs = tmp_path / "runs"
    result, sink, notes = run_alone(sshd, tmp_path, cmd(sshd.host("db1"), PACES[pace] + f"rm -rf {runs}; echo cleaned; exit {code}"))
    assert result == Result("ok", exit_code=code), (result, notes)
    assert sink.data("stderr") == b"", "the wrapper's own complaint about the missing folder is not the command's output"
    assert len(notes) == 1 and notes[0].startswith("db1: the command removed its run's files ("), notes
    assert "output written to them before they were read is missing" in notes[0]
    assert not runs.exists()


@pytest.mark.parametrize("recorded", ["300", "-1", "²", "٣", "0x0", "ok"])
def test_a_status_line_that_is_no_shell_status_is_an_error(sshd: Sshd, tmp_path: Path, recorded: str, caplog: pytest.LogCaptureFixture) -> None:
    """A re-attached run has only its `rc` line: one a shell cannot write (over 255, negative, another script's digits, text) is an error.

    Before: `rc 300` was exit code 300; `rc ²` raised `ValueError` (a logged traceback, the error `invalid literal for int()`);
    `rc ٣` was exit code 3.
    """
    command = cmd(sshd.host("db1"), "never run: the run is already there")
    runs = tmp_path / "runs"
    runs.mkdir(mode=0o700)
    gone = subprocess.run(["sh", "-c", "echo $$"], capture_output=True, text=True, check=True).stdout.strip()
    prefix = runs / run_dir_name(command.key)
    for suffix, text in ((".run", f"0022\npid {gone} {gone}\nrc {recorded}\n"), (".out", "out\n"), (".err", "")):
        prefix.with_name(prefix.name + suffix).write_text(text, encoding="utf-8")
    caplog.set_level(logging.DEBUG)

    result, sink, _ = run_alone(sshd, tmp_path, command)

    assert result.status == "error" and result.exit_code is None, result
    assert result.error == (
        f"the exit status recorded on db1 is {recorded!r}, not a number from 0 to 255: something other than the wrapper wrote it; see {prefix}.*"
    )
    assert sink.data("stdout") == b"out\n"
    assert not [record for record in caplog.records if record.exc_info], "no traceback"
    assert runs_left(tmp_path) == [prefix.name], "the files stay for a look"


@pytest.mark.parametrize("pace", PACES)
@pytest.mark.parametrize("signal", ["TERM", "KILL"])
def test_a_command_that_kills_the_session_following_it_is_followed_again(sshd: Sshd, tmp_path: Path, pace: str, signal: str) -> None:
    """The follow session's shell killed (`pkill sh`, the OOM killer) while the command lives on: re-attached, its real end reported.

    Before: `the follow session on db1 ended early (exit status -1)`, a failure, while the command ran on and exited 0.
    """
    text = PACES[pace] + f"echo x; kill -{signal} $(ps -o ppid= -p $PPID); sleep 0.5; echo y; exit 0"
    result, sink, notes = run_alone(sshd, tmp_path, cmd(sshd.host("db1"), text))
    assert result == Result("ok", exit_code=0), (result, notes)
    assert sink.data("stdout") == b"x\ny\n", "every byte once"
    assert notes == [f"db1: the session following the command was killed by signal {signal}: re-attaching to the command"]
    assert runs_left(tmp_path) == []


def test_a_command_that_kills_its_own_process_group_is_not_done(sshd: Sshd, tmp_path: Path) -> None:
    """`kill -TERM 0` ends the follow session and the wrapper too: no status was recorded, and the error says so."""
    result, sink, _ = run_alone(sshd, tmp_path, cmd(sshd.host("db1"), "echo x; kill -TERM 0; sleep 1; exit 0"))
    assert result.status == "error", result
    assert result.error is not None and result.error.startswith("the command ended without recording an exit status"), result
    assert sink.data("stdout") == b"x\n"


@pytest.mark.parametrize("login", ["read -r line", "head -c 7 >/dev/null", "exec </dev/null"])
def test_a_login_that_reads_the_sessions_input_fails_at_once_and_runs_nothing(tmp_path: Path, login: str) -> None:
    """A `.bashrc` or ForceCommand reading stdin takes the session's token line: an error at once, nothing run.

    Before: the script took a line of the wrapper as the token and waited for it for ever (the step hung; `exec` never ended).
    """
    (tmp_path / "sshd").mkdir()
    chatty = make_sshd(tmp_path / "sshd", {"ForceCommand": f'{login}; eval "$SSH_ORIGINAL_COMMAND"'})
    marker = tmp_path / "ran"

    async def main() -> Result:
        ex = executor(chatty, tmp_path)
        try:
            return await asyncio.wait_for(ex.run(cmd(chatty.host("db1"), f"touch {marker}"), Collect()), 20)
        except TimeoutError:
            pytest.fail("the run did not end within 20 s")
        finally:
            await ex.close()

    try:
        result = arun(main)
    finally:
        chatty.stop()
    assert result.status == "error", result
    assert result.error == (
        "could not start the command on db1: no session token read: the host's login (~/.bashrc, /etc/profile, a ForceCommand)"
        " read or closed the session's input"
    )
    assert not marker.exists()
    assert runs_left(tmp_path) == []


@pytest.mark.parametrize("restriction", ["ForceCommand /usr/sbin/nologin", "command= on the key"])
def test_a_host_that_runs_something_else_in_place_of_the_command_says_so_with_its_words(tmp_path: Path, restriction: str) -> None:
    """A ForceCommand (here nologin, as for an account that may not log in) or a `command="..."` restriction on the key
    in authorized_keys: the host runs that, not our script. Before: `the follow session on db1 ended early (exit
    status 1); see ~/.cache/runbook-tui/runs/...*`, the host's own words dropped (they came on stdout), files named that
    were never made, and the host counted as started (a rollback would have run its undo there)."""
    (tmp_path / "sshd").mkdir()
    options = {"ForceCommand": "/usr/sbin/nologin"} if restriction.startswith("ForceCommand") else {}
    host = make_sshd(tmp_path / "sshd", options)
    said = "This account is currently not available."
    if not options:
        said = "this key may only run backups"
        line = (tmp_path / "sshd" / "authorized_keys").read_text()
        (tmp_path / "sshd" / "authorized_keys").write_text(f"command=\"echo {said}; printf '\\033[31mred\\n' >&2; exit 1\" {line}")
        said += " / ␛[31mred"
    marker = tmp_path / "ran"
    try:
        result = run_alone(host, tmp_path, cmd(host.host("db1"), f"touch {marker}"))[0]
    finally:
        host.stop()
    assert result.status == "error" and result.started is False, result
    assert result.error == (
        "could not start the command on db1: the host ran something else in its place (exit status 1): a ForceCommand in"
        " its sshd_config, a command= restriction on the key in authorized_keys, or a login shell that runs no commands"
        f" (nologin); it said: {said}"
    )
    assert not marker.exists()


def _on_bash_sh(tmp_path: Path, environment: str, command: str, **kw: object) -> list[tuple[Result, Collect, list[str]]]:
    """`command` at both paces on an sshd whose sessions get `environment` and a bash `sh` (RHEL, Fedora)."""
    (tmp_path / "sshd").mkdir()
    bash_as_sh = tmp_path / "bin"
    bash_as_sh.mkdir()
    (bash_as_sh / "sh").symlink_to("/bin/bash")
    setenv = f"SHLVL=1 HOME={Path.home()} PATH={bash_as_sh}:/usr/bin:/bin {environment}"
    host = make_sshd(tmp_path / "sshd", {"SetEnv": setenv})
    try:
        return [run_alone(host, tmp_path, cmd(host.host("db1"), pace + command, **kw)) for pace in PACES.values()]
    finally:
        host.stop()


@pytest.mark.parametrize("environment", ["SHELLOPTS=allexport", "T=exported W=exported"])
def test_the_session_token_never_reaches_the_command(tmp_path: Path, environment: str) -> None:
    """The session's environment (pam_env, ~/.ssh/environment, AcceptEnv) exports `T`, or allexport under a bash `sh`.

    Before: the command read the token from `$T` and printed the trailer itself: `exit 1` was journaled exit 0.
    """
    forge = """printf '\\000%s end 0\\n' "$T"; printf '\\000%s end\\n' "$T" >&2; echo "T=[$T] W=[${W:+set}]" >&2; exit 1"""
    for result, sink, _ in _on_bash_sh(tmp_path, environment, forge):
        assert result == Result("ok", exit_code=1)
        assert sink.data("stdout") == b"\0 end 0\n"
        assert sink.data("stderr") == b"\0 end\nT=[] W=[]\n"


@pytest.mark.parametrize("options", ["errexit", "xtrace", "verbose", "errexit:nounset:xtrace:verbose"])
def test_the_sessions_shell_options_change_neither_status_nor_output(tmp_path: Path, options: str) -> None:
    """`SHELLOPTS` in the session's environment, under a bash `sh`: the exit status and the bytes are the command's.

    Before: with `errexit`, `exit 3` read `the follow session on db1 ended early (exit status 3)`; with `xtrace` or
    `verbose` the wrapper's text, an environment value (`TOKEN=s3cret`) in it, came first on the command's stderr.
    """
    for result, sink, _ in _on_bash_sh(tmp_path, f"SHELLOPTS={options}", "echo out; echo err >&2; exit 3", env=(("TOKEN", "s3cret"),)):
        assert result == Result("ok", exit_code=3)
        assert (sink.data("stdout"), sink.data("stderr")) == (b"out\n", b"err\n")


def test_under_errexit_a_timeout_still_stops_the_command_cleanly(tmp_path: Path) -> None:
    """The kill script's options are its own too (before: `kill -KILL` of the group already gone ended it: `could not stop the command`)."""
    for result, _, _ in _on_bash_sh(tmp_path, "SHELLOPTS=errexit", "sleep 30", timeout=1):
        assert result == Result("timeout"), result
    assert runs_left(tmp_path) == []


def test_a_step_that_kills_the_tails_sending_its_output_loses_no_byte(sshd: Sshd, tmp_path: Path) -> None:
    """`pkill tail` in a step (stopping a log follower) kills the `tail`s streaming its own output: followed again, every byte once.

    Before: `Result("ok", 0)` with stdout `a` only: `b`, `d` and stderr `c` silently missing from the journal.
    Only the tails of this session's process group are killed (`-g 0`): nothing else on the machine.
    """
    wait_for_tails = "i=0; until pgrep -x -g 0 tail >/dev/null || [ $i -ge 200 ]; do sleep 0.05; i=$((i+1)); done"
    text = f"{wait_for_tails}; echo a; sleep 0.3; pkill -x -g 0 tail; echo b; echo c >&2; sleep 0.3; echo d; exit 0"
    result, sink, notes = run_alone(sshd, tmp_path, cmd(sshd.host("db1"), text))
    assert result == Result("ok", exit_code=0), (result, notes)
    assert notes == ["db1: the session following the command was cut short (a tail sending its output was killed): re-attaching to the command"]
    assert (sink.data("stdout"), sink.data("stderr")) == (b"a\nb\nd\n", b"c\n")
    assert runs_left(tmp_path) == []


def test_a_disk_filling_up_on_the_host_mid_command_is_said_beside_its_exit_status(sshd: Sshd, tmp_path: Path) -> None:
    """The run's files on a 64 KiB tmpfs (a host's full /home): the command's output overflows it. Before: only `exit
    code 1` (`tr` died of ENOSPC, and its error message went to the full disk too), the output cut in the middle and its
    last line missing, without a word on why. Now a note says the disk was full; a run on a disk with room has none."""
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)], capture_output=True, text=True, timeout=10)
    if mounted.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): the suite runs as root (scripts/test)", pytrace=False)
    try:
        command = 'echo start; head -c 200000 /dev/zero | tr "\\0" a; echo; echo end'
        result, sink, said = run_alone(sshd, small, cmd(sshd.host("db1"), command))
    finally:
        subprocess.run(["umount", "-l", str(small)], capture_output=True, timeout=10)
    assert result == Result("ok", exit_code=1), result
    assert sink.data("stdout").startswith(b"start\naaa") and not sink.data("stdout").endswith(b"end\n")
    [note] = [line for line in said if "full" in line]
    assert note.startswith(f"db1: the disk holding the run's files ({small}/runs/") and note.endswith(
        ".*) was full when the command ended: what it wrote there after that was lost, its output and error messages may"
        " be cut short (and its own writes may have failed); free space there"
    ), note
    roomy, _, said_roomy = run_alone(sshd, tmp_path, cmd(sshd.host("db1"), command))
    assert roomy == Result("ok", exit_code=0) and not [line for line in said_roomy if "full" in line], said_roomy


@pytest.mark.parametrize(
    ("sent", "close", "words"),
    [
        (
            b"220 mail.example ESMTP Postfix\r\n",
            False,
            ': the port took the connection but sent no SSH greeting within 1 s: it said "220 mail.example ESMTP Postfix" (not an SSH server)',
        ),
        (
            b"HTTP/1.1 400 Bad Request\r\n\x1b[2JContent-Length: 0\r\n\r\n",
            True,
            ': the port took the connection and closed it before any SSH greeting, saying "HTTP/1.1 400 Bad Request␍⏎␛[2JContent-Length:'
            ' 0" (sshd turning it away: its MaxStartups, a firewall or fail2ban rule; or no SSH server there)',
        ),
        (b"x" * 9000, False, ': it said "' + "x" * 120 + '…" (not an SSH server)'),
    ],
    ids=["smtp-banner", "http-then-close", "endless-line"],
)
def test_a_port_that_answers_with_something_else_is_quoted(sshd: Sshd, tmp_path: Path, sent: bytes, close: bool, words: str) -> None:
    """A step's host at a port where a mail server, a web server or something else answers. Before: `sent no SSH
    greeting … (something there that is not an SSH server)` or `closed it before any SSH greeting (sshd turning it
    away …)`, with nothing of what it said; now its words are quoted, controls made visible and cut at 120 characters."""

    async def main() -> Result:
        held: list[asyncio.StreamWriter] = []

        async def answer(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(sent)
            await writer.drain()
            if close:
                writer.close()
            else:
                held.append(writer)

        other = await asyncio.start_server(answer, "127.0.0.1", 0)
        ex = executor(sshd, tmp_path, connect_timeout=1)
        try:
            return (await run_one(ex, cmd(sshd.host("db9", port=other.sockets[0].getsockname()[1]), "true")))[0]
        finally:
            await ex.close()
            other.close()

    result = arun(main)
    assert result.status == "error" and result.started is False, result
    assert (result.error or "").startswith("cannot connect to db9 (127.0.0.1:"), result
    assert (result.error or "").endswith(words), result


def test_a_runs_folder_that_takes_no_file_means_the_command_never_started(sshd: Sshd, tmp_path: Path) -> None:
    """The run's files cannot be made (a full disk, a folder the user cannot write; here a file where a folder must be):
    the follow script refuses before the command is started, so the result says it never began (`started` False: a
    rollback has nothing to undo there). Before: `started` stayed True, and a rollback ran the step's undo on a host
    where its command had never run."""
    (tmp_path / "afile").write_text("a file, not a folder\n")
    ran = tmp_path / "ran"
    result = run_alone(sshd, tmp_path / "afile", cmd(sshd.host("db1"), f"touch {ran}"))[0]
    assert result.status == "error" and not result.started, result
    assert result.error is not None and result.error.startswith("could not start the command on db1 in "), result
    assert "cannot create the run's files" in result.error, result
    assert not ran.exists()


def test_a_runs_folder_of_another_user_is_refused_before_anything_is_made_there(sshd: Sshd, tmp_path: Path) -> None:
    """A HOME shared with others (a service account's `/tmp`): the runs folder there belongs to another user, who put
    a symlink where the next run's `.out` goes, pointing at a file of the login's.

    Before: the run went ahead in that folder: the command's output truncated and overwrote the file the symlink named
    (and the other user could read the run's files, or plant a `.run` naming a process of theirs to be followed in
    place of the command). Now nothing is made there, nothing starts, and the words say whose folder it is not."""
    runs = tmp_path / "shared" / "runs"
    runs.mkdir(parents=True)
    os.chown(runs, 65534, 65534)  # nobody's; the sshd's login (this test's user) is not nobody
    runs.chmod(0o777)
    victim = tmp_path / "victim"
    victim.write_text("the login's own file\n")
    key = "s/roll/db1/run1"
    (runs / f"{run_dir_name(key)}.out").symlink_to(victim)
    ran = tmp_path / "ran"
    result = run_alone(sshd, tmp_path / "shared", cmd(sshd.host("db1"), f"touch {ran}; echo clobbered", key=key))[0]
    assert result.status == "error" and not result.started, result
    assert "cannot create the run's files" in (result.error or "") and f"the runs folder {runs} belongs to another user than" in (result.error or ""), result
    assert victim.read_text() == "the login's own file\n"
    assert not ran.exists() and sorted(p.name for p in runs.iterdir()) == [f"{run_dir_name(key)}.out"]


def test_a_disk_already_full_at_the_start_means_the_command_never_started(sshd: Sshd, tmp_path: Path) -> None:
    """The runs folder on a tmpfs whose blocks are all taken (inodes left, as on a host's full /home): `.run` is made,
    but its first line cannot be written. Before: that empty `.run` read as a run already there, the script waited 5 s
    for its pid, and said `the command ended without recording an exit status or its pid (killed?)`, started, of a
    command that never ran. Now: `cannot create the run's files … (is the disk full …?)` at once, not started, and no
    file is left there."""
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)], capture_output=True, text=True, timeout=10)
    if mounted.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): the suite runs as root (scripts/test)", pytrace=False)
    ran = tmp_path / "ran"
    try:
        (small / "runs").mkdir(mode=0o700)
        subprocess.run(["dd", "if=/dev/zero", f"of={small / 'filler'}", "bs=4k"], capture_output=True, timeout=10)  # until ENOSPC
        loop = asyncio.new_event_loop()
        try:
            started = loop.time()
            result = run_alone(sshd, small, cmd(sshd.host("db1"), f"touch {ran}"))[0]
            took = loop.time() - started
        finally:
            loop.close()
        left = sorted(p.name for p in (small / "runs").iterdir())
    finally:
        subprocess.run(["umount", "-l", str(small)], capture_output=True, timeout=10)
    assert result.status == "error" and not result.started, result
    assert "cannot create the run's files" in (result.error or "") and "is the disk full" in (result.error or ""), result
    assert not ran.exists() and left == [] and took < 4, (left, took)
