"""`join` is wired from the same settings as a run: ssh.known_hosts from settings.yaml, unless --known-hosts says otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook_tui.app.session import join_endpoint


@pytest.fixture
def settings_with_known_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    known = tmp_path / "team_known_hosts"
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"ssh: {{known_hosts: {known}}}\n", encoding="utf-8")
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(settings))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return known


def test_join_checks_the_session_key_against_the_settings_known_hosts(settings_with_known_hosts: Path, tmp_path: Path) -> None:
    endpoint = join_endpoint("127.0.0.1:2222", observe=True, identity=None, known_hosts=None)
    assert (endpoint.host, endpoint.port, endpoint.observe) == ("127.0.0.1", 2222, True)
    assert endpoint.known_hosts == str(settings_with_known_hosts), "the file every run's SSH uses, not a hard-coded ~/.ssh/known_hosts"
    assert endpoint.copy_dir == str(tmp_path / "state" / "runbook-tui" / "received")


def test_join_known_hosts_flag_wins_and_a_bad_address_is_refused(settings_with_known_hosts: Path, tmp_path: Path) -> None:
    given = tmp_path / "mine"
    assert join_endpoint("host:22", observe=False, identity="k", known_hosts=str(given)).known_hosts == str(given)
    with pytest.raises(ValueError):
        join_endpoint("no-port-here", observe=False, identity=None, known_hosts=None)
