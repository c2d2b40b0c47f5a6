"""The resume command a stopped run prints goes on as printed when the run was started with `--allowed-signers PATH`.

`require_approval: true` in settings, no `allowed_signers:` there: alice runs bob's approved plan with
`--allowed-signers FILE --approval bob.approval --identity alice`, and stops it (SIGTERM) while its second step runs.
Before, the printed command kept `--identity` but not the allowed signers: run as printed, `resume` refused to go on
("cannot tell who approved this run: give --allowed-signers FILE"), and `resume` had no such option at all (argparse:
unrecognized arguments, exit 2), so the approved run could only go on after someone edited the settings.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import signal
import subprocess
from pathlib import Path

from test_approval_rules import CLI, RUNBOOK, _approve, _cli, folder  # noqa: F401 (folder: the fixture)
from waiting import wait_until

REQUIRED = "require_approval: true\n"  # the allowed signers are given on the command line only
SLOW_SECOND = (
    RUNBOOK.replace("WINDOW", "")
    + "      - id: two\n        title: Two\n        run: if [ -e ran ]; then echo again; else touch ran; sleep 30; fi\n        undo: echo undo-two\n"
)


def _started(journal: Path, step: str) -> bool:
    lines = journal.read_text().splitlines() if journal.exists() else []
    return any(json.loads(line)["type"] == "step_started" and json.loads(line).get("step") == step for line in lines)


def test_the_printed_resume_command_keeps_the_allowed_signers_and_goes_on(folder: Path) -> None:  # noqa: F811
    (folder / "R.yaml").write_text(SLOW_SECOND)
    assert _approve(folder, "bob").returncode == 0
    _cli(folder, "validate", "R.yaml", settings=REQUIRED)  # writes the settings file the run below reads
    env = _env(folder)
    run = subprocess.Popen(
        [*CLI, "exec", "R.yaml", "-p", "version=1.2", "--solo", "test", "--journal", "J.jsonl", "--allowed-signers", "allowed_signers",
         "--approval", "bob.approval", "--identity", "alice"],
        cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_until(lambda: _started(folder / "J.jsonl", "two"), "step two to start", alive=run)
        run.send_signal(signal.SIGTERM)
        _, stderr = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    printed = next((line for line in stderr.splitlines() if "runbook-tui resume" in line), "")
    words = shlex.split(printed.partition("the journal is kept: ")[2])
    assert words[:2] == ["runbook-tui", "resume"], stderr
    assert f"--allowed-signers {folder / 'allowed_signers'}" in shlex.join(words), stderr
    resumed = _cli(folder, *words[1:], "--rerun", "--continue", settings=REQUIRED)  # as printed, and the decision to go on
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    kinds = [json.loads(line)["type"] for line in (folder / "J.jsonl").read_text().splitlines()]
    assert kinds.count("step_started") == 3 and "session_finished" in kinds, kinds  # two ran again, to its end
    # The start and the resume each record the allowed_signers file they read: a later check can say it used another.
    events = [json.loads(line) for line in (folder / "J.jsonl").read_text().splitlines()]
    digest = hashlib.sha256((folder / "allowed_signers").read_bytes()).hexdigest()
    recorded = [e.get("allowed_signers") for e in events if e["type"] in ("session_started", "session_resumed")]
    assert recorded == [{"path": str(folder / "allowed_signers"), "sha256": digest}] * 2, recorded


def test_a_signed_run_resumed_headless_without_its_key_says_its_decisions_now_go_unsigned(folder: Path) -> None:  # noqa: F811
    """The screen's foot says `decisions unsigned` for a run without a key; a headless resume of a signed run said nothing."""
    (folder / "R.yaml").write_text(SLOW_SECOND)
    assert _approve(folder, "bob").returncode == 0
    _cli(folder, "validate", "R.yaml", settings=REQUIRED)
    run = subprocess.Popen(
        [*CLI, "exec", "R.yaml", "-p", "version=1.2", "--solo", "test", "--journal", "J.jsonl", "--allowed-signers", "allowed_signers",
         "--approval", "bob.approval", "--identity", "alice"],
        cwd=folder, env=_env(folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_until(lambda: _started(folder / "J.jsonl", "two"), "step two to start", alive=run)
        run.send_signal(signal.SIGTERM)
        run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    keyless = _cli(folder, "resume", "J.jsonl", "--allowed-signers", "allowed_signers", "--rerun", "--continue", settings=REQUIRED)
    assert "decisions unsigned: no --identity key, no agent key: the decisions from here go unsigned" in keyless.stdout, keyless.stdout + keyless.stderr
    assert keyless.returncode == 0, keyless.stdout + keyless.stderr


def _env(root: Path) -> dict[str, str]:
    """As `_cli` runs the program (its settings, its state folder, no agent), for a process the test stops itself."""
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS")}
    env.update(XDG_CONFIG_HOME=str(root / "xdg-config"), XDG_STATE_HOME=str(root / "xdg-state"), SSH_AUTH_SOCK="", RUNBOOK_TUI_USER="alice")
    return env
