"""`plan`'s Connections section names where the known_hosts file came from: `(default)` when no settings file sets
`ssh.known_hosts`, `(settings)` when one does. Before: `(settings)` either way, as if the user had chosen the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runbook_tui.cli import main

RUNBOOK = "runbook: 1\nid: t\ntitle: t\nhosts:\n  g: [{name: db1, address: 10.0.0.5}]\nsections:\n  - id: s\n    steps:\n      - {id: a, run: 'true', on: g}\n"


def _plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: str, *extra: str) -> str:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "settings.yaml").write_text(settings)
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "settings.yaml"))
    runbook = tmp_path / "rb.yaml"
    runbook.write_text(RUNBOOK)
    assert main(["plan", str(runbook), *extra]) == 0
    return capsys.readouterr().out


def test_the_default_known_hosts_is_labelled_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = _plan(tmp_path, monkeypatch, capsys, "ssh: {config: false}\n")
    assert f"known_hosts {tmp_path / '.ssh' / 'known_hosts'} (default)" in out, out
    hop = json.loads(_plan(tmp_path, monkeypatch, capsys, "ssh: {config: false}\n", "--json"))["connections"]["db1"][0]
    assert hop["sources"]["known_hosts"] == "default", hop


def test_a_known_hosts_the_settings_name_is_labelled_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = _plan(tmp_path, monkeypatch, capsys, f"ssh: {{config: false, known_hosts: {tmp_path / 'kh'}}}\n")
    assert f"known_hosts {tmp_path / 'kh'} (settings)" in out, out
