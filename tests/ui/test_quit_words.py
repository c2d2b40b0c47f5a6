"""The quit dialog's resume command reads as one command at 80 columns: wrapped at spaces under itself, the words
about it after it (the key file's path went back to the dialog's edge and read as prose)."""

from __future__ import annotations

from types import MappingProxyType

from rich.console import Console

from runbook_tui.engine.state import RunState
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
