"""The quit dialog's resume command reads as one command at 80 columns: wrapped at spaces under itself, the words
about it after it (the key file's path went back to the dialog's edge and read as prose); where the run stands, and
whose word it waits for there."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest
from rich.console import Console
from run_screen_helpers import FakeClient, shared_session_events, with_plan

from runbook_tui.engine.state import RunState
from runbook_tui.engine.state_model import with_step
from runbook_tui.ui.quit_prompt import quit_prompt


def test_the_resume_command_wraps_under_itself_and_its_note_follows_it() -> None:
    share = {"address": "127.0.0.1:47614", "fingerprint": "SHA256:x", "keys": {"verifier-key": ["/home/alice/keys/bob-laptop-2026.pub"]}}
    state = RunState(share=MappingProxyType(share))
    prompt = quit_prompt(state, busy=False, journal_path="journals/CHG-42-20261203T194912.jsonl")
    assert prompt is not None
    console = Console(width=70, record=True, color_system=None)
    console.print(prompt.body_text)
    lines = console.export_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  runbook-tui resume journals/CHG-42-"))
    note = lines.index("(the verifier joins again: the same host key), or --solo REASON")
    assert note > start + 1 and all(line.startswith("    ") for line in lines[start + 1 : note]), lines  # under itself
    command = " ".join(line.strip() for line in lines[start:note])
    assert command == "runbook-tui resume journals/CHG-42-20261203T194912.jsonl --share 127.0.0.1:47614 --verifier-key /home/alice/keys/bob-laptop-2026.pub"


def test_quit_says_whose_word_the_step_waits_for(workdir: Path) -> None:
    """`The run stands at check` over a step waiting for bob's confirmation: the words must name whose word holds the run
    (a confirmation, a go-ahead), and a step nobody waits on is named alone."""
    state = FakeClient(shared_session_events(workdir)).state

    def said(state: RunState) -> str:
        prompt = quit_prompt(state, busy=False, journal_path="j.jsonl")
        assert prompt is not None
        console = Console(width=200, record=True, color_system=None)
        console.print(prompt.body_text)
        return console.export_text().splitlines()[0]

    assert said(state) == "The run stands at 'check'; nothing runs while you are away."
    waiting = with_step(state, "check", status="awaiting_verification", attempts=1)
    assert said(waiting) == "The run stands at 'check', which waits for bob to confirm it; nothing runs while you are away."
    assert said(with_plan(state, "check", verify="before")) == "The run stands at 'check', which waits for bob's go-ahead; nothing runs while you are away."


def test_quit_while_a_step_runs_says_what_stops_where_it_runs(workdir: Path) -> None:
    """The dialog spoke of remote hosts over a step running on this machine only ("Commands on remote hosts keep
    running, unwatched; commands on this machine are stopped now."): it must say what happens where the step runs."""
    from runbook_tui.engine.state_model import HostState

    state = FakeClient(shared_session_events(workdir)).state

    def said(hosts: dict[str, str]) -> str:
        running = with_step(state, "check", status="running", attempts=1, hosts=MappingProxyType({h: HostState(status) for h, status in hosts.items()}))
        prompt = quit_prompt(running, busy=True, journal_path="j.jsonl")
        assert prompt is not None
        console = Console(width=200, record=True, color_system=None)
        console.print(prompt.body_text)
        return console.export_text().splitlines()[0]

    assert said({"local": "running"}) == "The command running on this machine is stopped now."
    assert said({"db1": "running", "db2": "running", "db3": "done"}) == "Commands on 2 remote hosts keep running, unwatched."
    assert said({"db1": "running"}) == "The command on its remote host keeps running, unwatched."
    assert said({"local": "running", "db1": "running"}) == ("Commands on remote hosts keep running, unwatched; commands on this machine are stopped now.")


def test_the_assignees_quit_and_exit_line_resume_with_the_key_the_run_is_signed_with(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run signed with `--identity KEY`: the quit dialog and the exit line printed `resume J --share ... --verifier-key
    ...` without it, a resume that signs with the agent's key or none. Now `--identity KEY`, quoted for the shell; and the
    `--allowed-signers PATH` the run was given (without it a resume under `require_approval: true` refused to go on)."""
    from types import SimpleNamespace

    from runbook_tui.ui import launch
    from runbook_tui.ui.quit_prompt import asked_quit

    share = {"address": "127.0.0.1:47614", "keys": {"verifier-key": ["/home/alice/keys/bob.pub"]}}
    state = RunState(share=MappingProxyType(share))
    expected = "runbook-tui resume j.jsonl --identity '/home/alice/my keys/id' --allowed-signers '/etc/change board/signers' --share 127.0.0.1:47614 --verifier-key /home/alice/keys/bob.pub"
    handle = SimpleNamespace(
        journal_path="j.jsonl",
        identity="/home/alice/my keys/id",
        signers_file="/etc/change board/signers",
        controller=SimpleNamespace(state=state, busy=False),
        notices_failed_closing=(),
    )
    prompt, _leave = asked_quit(SimpleNamespace(handle=handle), handle.controller, "j.jsonl", "alice")  # type: ignore[arg-type]
    assert prompt is not None
    console = Console(width=400, record=True, color_system=None)
    console.print(prompt.body_text)
    assert expected in " ".join(console.export_text().split()), console.export_text()

    monkeypatch.setattr(launch, "not_a_terminal", lambda *_: False)
    app = SimpleNamespace(run=lambda: 1, failure=None, handle=handle)
    assert launch._launch(app) == 1  # type: ignore[arg-type]
    assert f"the run is not finished; continue it with: {expected}" in capsys.readouterr().out.splitlines()


def test_a_journal_path_wider_than_the_dialog_breaks_after_a_slash() -> None:
    """Walked at 140x45 (the dialog 78 columns): the journal's path under `runbook-tui resume` broke where the width
    ended, inside its name (`…/journals/hostile-runbook-20` over `261206T060808.176582Z.jsonl`). It breaks after its
    last `/` that fits now, the name whole on its row."""
    path = "/tmp/screens35/home/.local/state/runbook-tui/journals/hostile-runbook-20261206T060808.176582Z.jsonl"
    prompt = quit_prompt(RunState(), busy=False, journal_path=path)
    assert prompt is not None
    console = Console(width=74, record=True, color_system=None)
    console.print(prompt.body_text)
    lines = console.export_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  runbook-tui resume"))
    rows = [line.strip() for line in lines[start + 1 :] if line.strip()]
    assert rows[0].endswith("/journals/") and rows[1] == "hostile-runbook-20261206T060808.176582Z.jsonl", lines
    assert "".join(rows[:2]) == path, lines
