"""`runbook-tui new FILE` without --kind, in a real terminal (a pty): a wrong answer says why and the choices and asks
again, up to 3 answers, then exit 2; ctrl-d exits 1, ctrl-c too, each with one short line and no traceback. Before, a
wrong or empty answer, ctrl-d and ctrl-c alike ended it at once with exit 2 and "expected a number from 1 to 5"."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runbook_tui.runbook.scaffold import KINDS

NAMES = ", ".join(KINDS)


class Terminal:
    """`runbook-tui new ARGS` with a pty as its controlling terminal: what it printed, what is typed, how it ended."""

    def __init__(self, cwd: Path, *args: str) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: nothing but exec (the test process has threads)
            try:
                os.chdir(cwd)
                os.execv(sys.executable, [sys.executable, "-m", "runbook_tui", "new", *args])
            finally:
                os._exit(127)
        self.pid, self.fd, self.seen, self.code = pid, fd, "", None

    def _read(self, until: float) -> bool | None:
        """Read what is there by `until`: True when something was, None when nothing came, False when it closed."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, until - time.monotonic()))
        if not ready:
            return None
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.seen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return bool(chunk)

    def wait_for(self, text: str, count: int = 1, timeout: float = 30) -> None:
        """Until `text` was printed `count` times."""
        until = time.monotonic() + timeout
        while self.seen.count(text) < count:
            assert self._read(until) is not False and time.monotonic() < until, f"waited for {text!r} x{count}; the terminal shows:\n{self.seen}"

    def wait_reading(self, timeout: float = 30) -> None:
        """Until the process sleeps (in its read of the terminal, after the prompt): a ctrl-c that came between the
        prompt and the read would wait for a line first (CPython only checks its signal flag when a read is interrupted)."""
        until = time.monotonic() + timeout
        stat = Path(f"/proc/{self.pid}/stat")
        while stat.read_text().rsplit(")", 1)[1].split()[0] != "S":
            assert time.monotonic() < until, f"never waited for input; the terminal shows:\n{self.seen}"
            time.sleep(0.01)  # polling the condition above, not a wait for a guessed time

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def exit_code(self, timeout: float = 30) -> int:
        until = time.monotonic() + timeout
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                while self._read(time.monotonic() + 0.5):  # the rest of what it printed, until the terminal closes
                    pass
                self.code = os.waitstatus_to_exitcode(status)
                return self.code
            assert time.monotonic() < until, f"still running after {timeout}s; the terminal shows:\n{self.seen}"
            self._read(min(until, time.monotonic() + 0.1))

    def close(self) -> None:
        if self.code is None and os.waitpid(self.pid, os.WNOHANG)[0] == 0:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    shown = Terminal(tmp_path, "x.yaml")
    yield shown
    shown.close()


PROMPT = f"kind (1-{len(KINDS)}): "


def test_a_wrong_answer_says_why_and_the_choices_and_asks_again(terminal: Terminal, tmp_path: Path) -> None:
    terminal.wait_for(PROMPT)
    terminal.type("restart\n")
    terminal.wait_for(PROMPT, 2)
    assert f"'restart' is not a kind (2 tries left): answer a number from 1 to {len(KINDS)} or one of\n{NAMES}\n" in terminal.seen
    terminal.type("\n")  # an empty answer: the same, one try left
    terminal.wait_for(PROMPT, 3)
    assert f"no kind given (1 try left): answer a number from 1 to {len(KINDS)} or one of\n{NAMES}\n" in terminal.seen
    terminal.type("rolling restart\n")  # the words as the list shows them
    assert terminal.exit_code() == 0, terminal.seen
    assert "wrote x.yaml: a rolling restart" in terminal.seen
    assert "made by `runbook-tui new --kind rolling-restart`" in (tmp_path / "x.yaml").read_text(encoding="utf-8")


def test_three_wrong_answers_exit_2_and_write_nothing(terminal: Terminal, tmp_path: Path) -> None:
    for count, answer in enumerate(("restart", "\x1b]0;pwned\x07", "9"), 1):
        terminal.wait_for(PROMPT, count)
        terminal.type(answer + "\n")
    assert terminal.exit_code() == 2, terminal.seen
    assert (
        f"runbook-tui: new: no kind chosen after 3 tries (the last: '9' is not a kind)\nnothing was written; run it again, or give --kind, one of\n{NAMES}\n"
        in terminal.seen
    )
    assert terminal.seen.count(PROMPT) == 3, "no fourth question"
    assert "'␛]0;pwned␇' is not a kind (1 try left)" in terminal.seen, "the answer is shown, not sent back to the terminal"
    assert "\x1b" not in terminal.seen and "\x07" not in terminal.seen
    assert not (tmp_path / "x.yaml").exists()
    assert "Traceback" not in terminal.seen


def test_ctrl_d_at_the_prompt_exits_1_with_one_line(terminal: Terminal, tmp_path: Path) -> None:
    terminal.wait_for(PROMPT)
    terminal.type("nope\n")
    terminal.wait_for(PROMPT, 2)
    terminal.type("\x04")  # ctrl-d on an empty line: end of input
    assert terminal.exit_code() == 1, terminal.seen
    assert terminal.seen.endswith(f"{PROMPT}\nrunbook-tui: new: no kind chosen (end of input); nothing was written\n"), terminal.seen
    assert "Traceback" not in terminal.seen and not (tmp_path / "x.yaml").exists()


def test_ctrl_c_at_the_prompt_exits_1_with_one_line(terminal: Terminal, tmp_path: Path) -> None:
    terminal.wait_for(PROMPT)
    terminal.wait_reading()
    terminal.type("\x03")  # the terminal sends SIGINT
    assert terminal.exit_code() == 1, terminal.seen
    assert terminal.seen.endswith("\nrunbook-tui: new: interrupted; nothing was written\n"), terminal.seen
    assert "Traceback" not in terminal.seen and not (tmp_path / "x.yaml").exists()
