"""A webhook whose token is in its URL's query, written in the runbook (Google Chat's `?key=…&token=…`, Azure
Functions' `?code=…`): the request carries it, and the receiver is named everywhere with the query's values as `***`,
as a `user:password@`'s password is. Before, the token was printed by exec and preflight, and written to the journal's
notify events and the report, whole. (The runbook's own text, journaled as written, still holds it: keep a token in a
secret, `url: {env: VAR}`, which the journal names by its source.)"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from receivers import Receiver
from test_notify_live import runbook_text

pytestmark = pytest.mark.peers

KEY, TOKEN = "AIzaKEY-8812", "tok-hook-5530"


def test_a_token_in_a_receiver_urls_query_is_sent_and_shown_as_stars(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path
) -> None:
    hook = receiver("ok")
    path = write_runbook(runbook_text(f'- {{url: "{hook.url}?key={KEY}&token={TOKEN}"}}'))
    journal = tmp_path / "journal.jsonl"
    cli = [sys.executable, "-m", "runbook_tui"]
    env_run = {"cwd": tmp_path, "capture_output": True, "text": True, "timeout": 120, "stdin": subprocess.DEVNULL}
    preflight = subprocess.run([*cli, "preflight", str(path), "--notify-test"], **env_run)  # type: ignore[call-overload]
    ran = subprocess.run([*cli, "exec", str(path), "--solo", "query token", "--journal", str(journal)], **env_run)  # type: ignore[call-overload]
    assert ran.returncode == 0, ran.stdout + ran.stderr
    report = subprocess.run([*cli, "report", str(journal), "--format", "md"], **env_run)  # type: ignore[call-overload]
    assert [r.path for r in hook.requests] == [f"/hook?key={KEY}&token={TOKEN}"] * 3, "the test message, the start, the end: the token sent"
    shown = f"{hook.url}?key=***&token=***"
    assert shown in ran.stdout and shown in report.stdout, ran.stdout
    later = journal.read_text().splitlines()[1:]  # session_started's `source` is the runbook as written, token and all
    for text in (preflight.stdout + preflight.stderr, ran.stdout + ran.stderr, report.stdout, *later):
        assert KEY not in text and TOKEN not in text, text
