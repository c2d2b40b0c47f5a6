"""Secrets from a keyring that fails: no backend, one that raises (a DBus error, a locked collection), one that never
answers, one holding nothing, an empty value, a NUL, a newline and an escape. The backend is installed the way keyring
installs any (`PYTHON_KEYRING_BACKEND`, or `keyring.set_keyring`): `keyring_backends.Scripted`, told what to do by
`RBT_TEST_KEYRING`. Each failure is said in words before anything runs (exit 2, no journal), never a traceback or a hang;
a value that can be used is used and never shown."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring_backends import Scripted

from runbook_tui.app import secrets
from runbook_tui.app.session import load

ROOT = Path(__file__).resolve().parent.parent
RUNBOOK = """\
runbook: 1
id: kr
title: Keyring
secrets:
  token: {keyring: {service: "svc\\e]0;x\\a", username: alice}}
sections:
  - id: s
    title: S
    steps:
      - {id: a, title: A, run: 'printf "%s|" "$TOKEN"; echo', env: {TOKEN: "{{ secrets.token }}"}}
"""


def exec_with(tmp_path: Path, backend: str, what: str) -> tuple[int, str, Path]:
    (tmp_path / "r.yaml").write_text(RUNBOOK)
    (tmp_path / "settings.yaml").touch()
    journal = tmp_path / f"{what[:8].replace(':', '_')}.jsonl"
    env = os.environ | {
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}",
        "PYTHON_KEYRING_BACKEND": backend,
        "RBT_TEST_KEYRING": what,
        "RUNBOOK_TUI_SETTINGS": str(tmp_path / "settings.yaml"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    argv = [sys.executable, "-m", "runbook_tui", "exec", str(tmp_path / "r.yaml"), "--solo", "t", "--journal", str(journal)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    said = done.stdout + done.stderr
    assert "Traceback" not in said and "\x1b" not in said, said
    return done.returncode, said, journal


@pytest.mark.parametrize(
    ("backend", "what", "said"),
    [
        ("keyring.backends.fail.Keyring", "", "no keyring is available on this machine (service 'svc␛]0;x␇', user 'alice')"),
        ("keyring_backends.Scripted", "raise", "the keyring failed (service 'svc␛]0;x␇', user 'alice'): RuntimeError: org.freedesktop.DBus"),
        ("keyring_backends.Scripted", "locked", "the keyring failed (service 'svc␛]0;x␇', user 'alice'): KeyringLocked: the collection is locked"),
        ("keyring_backends.Scripted", "missing", "nothing stored in the keyring for service 'svc␛]0;x␇', user 'alice'"),
        ("keyring_backends.Scripted", "value:", "secret 'token' is only 0 characters"),
        ("keyring_backends.Scripted", "value:Zq9-s\\0cret", "holds a NUL character, which no command's environment can carry"),
    ],
    ids=["no-backend", "dbus-error", "locked", "missing", "empty", "nul"],
)
def test_a_failing_keyring_stops_the_run_before_anything_with_words(tmp_path: Path, backend: str, what: str, said: str) -> None:
    """Before: a backend raising anything but keyring's own errors (a DBus binding's) ended `exec` in a traceback, exit 1;
    a NUL passed the check and the step failed at its start (`embedded null byte`) after the run had begun."""
    code, text, journal = exec_with(tmp_path, backend, what)
    assert code == 2 and "secrets cannot be used, nothing was run" in text and said in text, text
    assert not journal.exists() and "Zq9" not in text


def test_a_value_with_a_newline_and_an_escape_is_used_and_never_shown(tmp_path: Path) -> None:
    code, text, journal = exec_with(tmp_path, "keyring_backends.Scripted", "value:Zq9-s3cret\\nsecond\\e]0;t")
    assert code == 0 and "local | ***|" in text, text
    assert "Zq9" not in text and "Zq9" not in journal.read_text(encoding="utf-8")


@pytest.fixture
def scripted_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(Scripted())
    yield
    keyring.set_keyring(before)


def test_a_keyring_that_never_answers_is_given_up(tmp_path: Path, scripted_keyring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A locked keyring waiting for an unlock prompt nobody sees: before, `exec`, `run`'s loading screen and `preflight`
    waited for ever. Now the wait is bounded (KEYRING_SECONDS, 60 s; 0.3 s here) and the run refused in words."""
    (tmp_path / "r.yaml").write_text(RUNBOOK)
    monkeypatch.setenv("RBT_TEST_KEYRING", "hang")
    monkeypatch.setattr(secrets, "KEYRING_SECONDS", 0.3)
    began = time.monotonic()
    with pytest.raises(secrets.SecretsError, match=r"the keyring did not answer within 0\.3 s .*unlock it, or use an env: source"):
        secrets.read_secrets(load(str(tmp_path / "r.yaml"), {}).runbook)
    assert time.monotonic() - began < 5


def test_preflight_asks_the_keyring_once(tmp_path: Path, scripted_keyring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """It asked twice (the secrets' check, then again for the metrics' and receivers'): two unlock prompts, and a
    keyring that never answers cost 2 x 60 s."""
    import asyncio

    from runbook_tui.app.preflight import preflight
    from runbook_tui.app.settings import Settings

    (tmp_path / "r.yaml").write_text(RUNBOOK)
    asked: list[str] = []
    monkeypatch.setattr(Scripted, "get_password", lambda self, service, username: asked.append(username))
    findings = asyncio.run(preflight(load(str(tmp_path / "r.yaml"), {}).runbook, Settings()))
    assert any("nothing stored in the keyring for service 'svc\x1b]0;x\x07', user 'alice'" in f for f in findings), findings  # shown by the CLI
    assert asked == ["alice"]


def test_an_env_secret_that_is_not_utf8_stops_the_run_in_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: a UnicodeEncodeError traceback from the redactor (it could not mask bytes the output, read as UTF-8, never holds)."""
    from runbook_tui import cli

    (tmp_path / "r.yaml").write_text(re.sub(r"token: \{keyring: .*\}\}", "token: {env: RBT_TOKEN}", RUNBOOK))
    monkeypatch.setenv("RBT_TOKEN", "hunter2-\udcff-tail")  # the byte 0xff, as Python keeps it from the environment
    assert cli.main(["exec", str(tmp_path / "r.yaml"), "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "secret 'token': environment variable RBT_TOKEN holds bytes that are not UTF-8; expected UTF-8 text" in err, err
    assert "hunter2" not in err and "Traceback" not in err and not (tmp_path / "j.jsonl").exists()


def test_a_missing_secret_is_said_at_its_place_in_the_runbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Every error about a runbook names FILE:LINE:COL; a missing or unmaskable secret said only `secret 'token': ...`
    (exec, run and preflight's finding line alike)."""
    from runbook_tui import cli

    path = tmp_path / "r.yaml"
    path.write_text(re.sub(r"token: \{keyring: .*\}\}", "token: {env: RBT_TOKEN}", RUNBOOK))
    monkeypatch.delenv("RBT_TOKEN", raising=False)
    assert cli.main(["exec", str(path), "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 2
    err = capsys.readouterr().err
    assert f"\n{path}:5:3: secret 'token': environment variable RBT_TOKEN is not set; export it before the run\n" in err, err
    monkeypatch.setenv("RBT_TOKEN", "")  # exported empty: it is set (before: said `is not set`, as if misspelt)
    assert cli.main(["exec", str(path), "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 2
    err = capsys.readouterr().err
    assert f"\n{path}:5:3: secret 'token': environment variable RBT_TOKEN is set but empty; export it before the run\n" in err, err
    monkeypatch.setenv("RBT_TOKEN", "ab")
    assert cli.main(["exec", str(path), "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 2
    assert f"\n{path}:5:3: secret 'token' is only 2 characters" in capsys.readouterr().err
    assert not (tmp_path / "j.jsonl").exists()


def test_exec_says_it_waits_for_a_keyring_that_does_not_answer(tmp_path: Path) -> None:
    """Before: exec said nothing for a minute (KEYRING_SECONDS) while a locked keyring waited for an unlock prompt, then
    refused the run: the person saw a command that hung. Now it says what it waits for after KEYRING_SAY_AFTER."""
    (tmp_path / "r.yaml").write_text(RUNBOOK)
    (tmp_path / "settings.yaml").touch()
    env = os.environ | {
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}",
        "PYTHON_KEYRING_BACKEND": "keyring_backends.Scripted",
        "RBT_TEST_KEYRING": "hang",
        "RUNBOOK_TUI_SETTINGS": str(tmp_path / "settings.yaml"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    argv = [sys.executable, "-m", "runbook_tui", "exec", str(tmp_path / "r.yaml"), "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]
    began = time.monotonic()
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path) as running:
        try:
            assert running.stderr is not None
            line = running.stderr.readline()  # the first line exec writes to stderr (the test ends it if it never comes)
            took = time.monotonic() - began
        finally:
            running.terminate()
    assert line == (
        "runbook-tui: waiting for the keyring to give secret 'token' (service 'svc␛]0;x␇', user 'alice'): unlock it if it asks;"
        " the run is refused if it has not answered in 60 s\n"
    ), line
    assert took < secrets.KEYRING_SECONDS / 2, f"said after {took:.0f} s"
    assert not (tmp_path / "j.jsonl").exists(), "nothing journaled while it waits"
