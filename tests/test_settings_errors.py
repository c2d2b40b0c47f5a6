"""The settings file is checked like a runbook: every wrong value as `FILE:LINE:COL: message`, exit 2, no traceback."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runbook_tui.app.settings import (
    Settings,
    SettingsError,
    default_journal_path,
    load_settings,
)

CASES = [
    ("blackouts: 5\n", ["1:12: blackouts: expected a list of {start, end, reason}, got 5"]),
    ("ssh:\n  keepalive_interval: .nan\n", ["2:23: ssh.keepalive_interval: expected a number of seconds above 0, at most 86400, got nan"]),
    ("ssh: {keepalive_interval: .inf}\n", ["1:27: ssh.keepalive_interval: expected a number of seconds above 0, at most 86400, got inf"]),
    ("ssh: {keepalive_interval: -.inf, reconnect_attempts: 1.5}\n", ["1:27: ssh.keepalive_interval", "1:54: ssh.reconnect_attempts: expected a whole number"]),
    (
        "max_concurrency: true\nmax_concurency: 3\n",
        ["1:18: max_concurrency: expected a whole number from 1 to 10000, got true (a boolean)", "2:1: unknown setting 'max_concurency'"],
    ),
    # YAML's words, as for a runbook (before: Python's `got True`, `got None`), and a missing time says what is expected
    (
        "ssh: {config: true, known_hosts: ~}\n",
        [
            "1:15: ssh.config: expected the path of an ssh client config, or false to ignore it, got true (a boolean)",
            "1:34: ssh.known_hosts: expected a file path, got nothing (null)",
        ],
    ),
    ("blackouts:\n  - {end: 2026-11-30T01:00:00+00:00}\n", ["2:5: blackouts[1]: missing 'start'; expected start: an ISO 8601 time with an offset"]),
    ("ssh: [1]\n", ["1:6: ssh: expected a mapping"]),
    ("ssh: {known_hosts: 7}\n", ["1:20: ssh.known_hosts: expected a file path, got 7"]),
    (
        "blackouts:\n  - {start: 2026-11-30T00:00:00+00:00, end: nope}\n  - 7\n  - {start: 2026-11-30T00:00:00, end: 2026-11-30T01:00:00+00:00}\n",
        [
            "2:45: blackouts[1].end: expected an ISO 8601 time",
            "3:5: blackouts[2]: expected {start, end, reason}",
            "4:13: blackouts[3].start: expected an ISO 8601 time with an offset",
        ],
    ),
    ("blackouts:\n  - {start: 2026-11-30T02:00:00+00:00, end: 2026-11-30T01:00:00+00:00}\n", ["2:45: blackouts[1].end: expected a time after start"]),
    ("ssh: {keepalive_interval: [\n", ["2:1: invalid YAML"]),
    (
        "- a\n- b\n",
        [
            "1:1: expected a mapping of settings (ssh, max_concurrency, blackouts, notify, notify_timing, allowed_signers, require_approval, approvers), got a list"
        ],
    ),
    # each wrong name at its own place (before: one error at the list, "expected a list of names ..., got a list")
    (
        'approvers: [carol, 1, ""]\n',
        [
            "1:20: approvers[2]: expected a name (a principal in allowed_signers), got 1",
            "1:23: approvers[3]: expected a name (a principal in allowed_signers), got ''",
        ],
    ),
    ("approvers: carol\n", ["1:12: approvers: expected a list of names (principals in allowed_signers), got 'carol'"]),
    # every wrong value in one pass (ssh.config was checked only when nothing else was wrong)
    ("ssh: {config: 5}\nmax_concurrency: 0\n", ["1:15: ssh.config: expected the path", "2:18: max_concurrency: expected a whole number from 1 to 10000"]),
    (
        "ssh: {reconnect_attempts: 99999999999999999999999, keepalive_interval: 1e9}\nmax_concurrency: 100001\n",
        ["1:27: ssh.reconnect_attempts: expected a whole number from 0 to 1000", "1:72: ssh.keepalive_interval", "2:18: max_concurrency: expected"],
    ),
    # a notify_timing key named by its path, as ssh's are (before: `'timeout': expected ...`, ssh's or notify_timing's?)
    (
        "notify_timing:\n  timeout: 0s\n  retries: -1\n  window_closing: soon\n  verifier_missing:\n",
        [
            "2:12: notify_timing.timeout: expected more than 0s",
            "3:12: notify_timing.retries: expected a whole number from 0 to 10",
            "4:19: notify_timing.window_closing: expected a duration like 30s",
            "5:20: notify_timing.verifier_missing: expected a duration like 30s, 5m, 1h30m or a number of seconds, got nothing (null)",
        ],
    ),
    ('"k\\e]0;key\\a": 1\n', ["1:1: unknown setting 'k\u241b]0;key\u2407'"]),
    # refused by http.client only at send time, after the retries, the value quoted in the error
    (
        'notify:\n  - {url: "https://h.example/a b\\r\\nHost: evil", headers: {"X\\nY": v, Z: "a\\r\\nInjected: 1"}}\n',
        [
            "2:11: 'url': expected a URL without spaces, line breaks",
            "2:60: header name 'X\\nY': expected letters",
            "2:74: header 'Z': expected a value on one line",
        ],
    ),  # read later, when a step or a check needs them: /dev/zero filled memory (`web1: MemoryError`), a FIFO hung
    (
        "ssh: {config: /dev/zero, known_hosts: /}\nallowed_signers: /dev/null\n",
        [
            "1:15: ssh.config: expected a regular file, got a character device ('/dev/zero')",
            "1:39: ssh.known_hosts: expected a regular file, got a directory ('/')",
            "2:18: allowed_signers: expected a regular file, got a character device ('/dev/null')",
        ],
    ),
    # a config file named is read as `ssh -F FILE` reads it, which refuses one not there (before: a typo in the path read
    # no config at all, and a host the config sends through its bastion was reached directly)
    ("ssh: {config: /nowhere/ssh_config.work}\n", ["1:15: ssh.config: no file at '/nowhere/ssh_config.work'"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_every_wrong_value_is_named_with_its_position(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        load_settings(path)
    lines = str(raised.value).splitlines()
    assert len(lines) == len(expected), lines
    for line, want in zip(lines, expected):
        assert line.startswith(f"{path}:{want}"), (line, want)


def test_a_good_settings_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text(
        "ssh: {known_hosts: ~/kh, keepalive_interval: 2.5, reconnect_attempts: 0}\nmax_concurrency: 3\n"
        "blackouts:\n  - {start: 2026-11-30T00:00:00+00:00, end: 2026-12-01T06:00:00+00:00, reason: billing}\n",
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert (settings.keepalive_interval, settings.reconnect_attempts, settings.max_concurrency) == (2.5, 0, 3)
    assert settings.known_hosts == os.path.expanduser("~/kh")
    assert [(b.reason, b.start.hour) for b in settings.blackouts] == [("billing", 0)]
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    assert load_settings(tmp_path / "empty.yaml") == Settings()


@pytest.mark.parametrize(
    "command",
    [
        ["exec", "R.yaml", "--solo", "test"], ["rehearse", "R.yaml"], ["preflight", "R.yaml"], ["plan", "R.yaml"],
        # Each line `FILE:LINE:COL: message` here too (before: the first began "runbook-tui: FILE:...", unlike every other command's)
        ["report", "J.jsonl"], ["join", "127.0.0.1:9"], ["approve", "R.yaml", "--identity", "key"],
    ],
)  # fmt: skip
def test_the_commands_refuse_wrong_settings_with_exit_2_and_no_traceback(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "R.yaml").write_text(
        "runbook: 1\nid: r\ntitle: R\nsections:\n  - {id: s, title: S, kind: implement, steps: [{id: a, title: A, run: 'true'}]}\n", encoding="utf-8"
    )
    settings = tmp_path / "settings.yaml"
    settings.write_text("blackouts: 5\nssh: {keepalive_interval: .nan}\n", encoding="utf-8")
    env = {**os.environ, "RUNBOOK_TUI_SETTINGS": str(settings), "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run([sys.executable, "-m", "runbook_tui", *command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"{settings}:1:12: blackouts: expected a list of {{start, end, reason}}, got 5",
        f"{settings}:2:27: ssh.keepalive_interval: expected a number of seconds above 0, at most 86400, got nan",
    ]
    assert not (tmp_path / "state").exists(), "nothing was started"


def test_journal_names_are_the_contracts_and_a_taken_one_moves_to_the_next_microsecond(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The contract names a journal `<runbook id>-<UTC timestamp>.jsonl`. Until session 22 a random suffix followed the
    timestamp (`change-20261201T230000.123Z-a1b2c3.jsonl`), so a name read by the contract did not parse; a start in the
    same microsecond as a journal already there takes the next microsecond instead."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    now = dt.datetime(2026, 12, 1, 23, 0, 0, 123456, tzinfo=dt.UTC)
    first = default_journal_path("change", now)
    assert first == tmp_path / "runbook-tui/journals/change-20261201T230000.123456Z.jsonl"
    first.parent.mkdir(parents=True)
    first.write_text("")
    assert default_journal_path("change", now).name == "change-20261201T230000.123457Z.jsonl"
    stamp = dt.datetime.strptime(default_journal_path("change").name.removeprefix("change-").removesuffix(".jsonl"), "%Y%m%dT%H%M%S.%fZ")
    assert abs(stamp - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(minutes=1), stamp


def test_a_long_runbook_id_or_journal_name_starts_or_is_refused_without_a_traceback(tmp_path: Path) -> None:
    """The format's `id: [a-z0-9-]+` sets no length: a 300-character id made a journal name the file system refused, and
    exec died with a traceback (ENAMETOOLONG, raised again while checking the path); so did `--journal` of such a name."""
    runbook = tmp_path / "long.yaml"
    runbook.write_text("runbook: 1\nid: " + "a" * 300 + "\ntitle: T\nsections:\n  - id: s\n    steps:\n      - {id: one, run: 'true'}\n")
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    base = [sys.executable, "-m", "runbook_tui", "exec", str(runbook), "--solo", "test"]
    done = subprocess.run(base, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    (journal,) = (tmp_path / "state/runbook-tui/journals").iterdir()
    assert journal.name.startswith("a" * 200 + "-2") and len(journal.name) <= 255
    too_long = tmp_path / ("b" * 300 + ".jsonl")
    refused = subprocess.run([*base, "--journal", str(too_long)], env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr
    assert refused.stderr.startswith(f"runbook-tui: cannot open the journal {too_long}: File name too long")


def test_journals_go_under_the_home_when_xdg_state_home_is_unset_empty_or_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The contract's `$XDG_STATE_HOME/runbook-tui/journals/` (`~/.local/state/...`). A relative XDG_STATE_HOME is
    invalid by the XDG spec; before, it was used as it was: the journal, and the resume command printed with it,
    depended on the folder the run was started in."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for value in (None, "", "relative/state"):
        if value is None:
            monkeypatch.delenv("XDG_STATE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_STATE_HOME", value)
        assert default_journal_path("change").parent == tmp_path / ".local/state/runbook-tui/journals", value
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "abs"))
    assert default_journal_path("change").parent == tmp_path / "abs/runbook-tui/journals"


def test_a_named_settings_file_that_is_missing_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A typo in RUNBOOK_TUI_SETTINGS must not run with none of the file's rules (require_approval, blackouts, allowed_signers)."""
    missing = tmp_path / "typo.yaml"
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(missing))
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value) == f"{missing}:1:1: cannot read the settings: No such file or directory"


def test_no_settings_file_at_the_default_place_means_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert load_settings() == Settings()


@pytest.mark.parametrize(("named", "kind"), [("fifo", "a FIFO"), ("/dev/zero", "a character device")])
def test_settings_that_are_not_a_regular_file_are_refused_without_reading_them(tmp_path: Path, named: str, kind: str) -> None:
    """A FIFO used to block for ever, /dev/zero to be read until memory ran out: both are refused at once."""
    settings = tmp_path / named if named == "fifo" else Path(named)
    if named == "fifo":
        os.mkfifo(settings)
    env = {**os.environ, "RUNBOOK_TUI_SETTINGS": str(settings), "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run([sys.executable, "-m", "runbook_tui", "preflight", "R.yaml"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (2, f"{settings}:1:1: cannot read the settings: expected a regular file, got {kind}\n")
