"""A receiver's `headers:` and URL as hostile input: framing headers, a secret holding CRLF, a header name twice.

Real runs posting to real receivers on loopback (http.server): what the
receiver gets, what the journal says, and that no secret is quoted.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from receivers import Receiver
from written_lines import written_events

from runbook_tui.app.session import load, open_session
from runbook_tui.app.settings import Settings, SettingsError, load_settings
from runbook_tui.engine.autopilot import drive
from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import load_runbook

pytestmark = pytest.mark.peers

#: Read from the environment: a token with a header of its own after a line break.
SPLIT_TOKEN = "tok-4711-abcdef\r\nX-Evil: 1"


def runbook(notify: str) -> str:
    return f"""
runbook: 1
id: headers
title: Headers
ticket: {{id: CHG-9, subject: s, assignee: alice, verifier: bob}}
notify:
{notify}
sections:
  - {{id: change, kind: precheck, steps: [{{id: one, run: "true", verify: none}}]}}
"""


async def run(path: Path, journal: Path, settings: Settings) -> str:
    session = open_session(load(str(path), {}), solo="headers test", journal=str(journal), settings=settings)
    try:
        return await drive(session.controller, session.actor)
    finally:
        await session.close()


@pytest.mark.parametrize("name", ["Host", "Content-Length", "transfer-encoding", "Connection", "Expect"])
def test_a_header_the_request_sets_itself_is_refused_at_its_place(write_runbook: Callable[..., Path], tmp_path: Path, name: str) -> None:
    path = write_runbook(runbook(f'  - {{url: "https://hooks.example.com/x", headers: {{{name}: "evil.example"}}}}'))
    with pytest.raises(RunbookInvalid) as error:
        load_runbook(path)
    assert f"{path}:7:52: header '{name}': set by the request itself from the url and the body; expected it left out" in str(error.value)
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"notify:\n  - {{url: 'https://hooks.example.com/x', headers: {{{name}: '1'}}}}\n")
    with pytest.raises(SettingsError) as refused:
        load_settings(settings)
    assert f"header '{name}': set by the request itself" in str(refused.value)


def test_a_header_value_past_latin_1_is_refused_at_load(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(runbook('  - {url: "https://hooks.example.com/x", headers: {X-Team: "db ☃"}}'))
    with pytest.raises(RunbookInvalid) as error:
        load_runbook(path)
    assert "header 'X-Team': expected a value of Latin-1 characters" in str(error.value)


def test_a_secret_header_or_url_that_cannot_go_into_a_request_leaves_its_receiver_out_unquoted(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    split, spaced, good = receiver("ok"), receiver("ok"), receiver("ok")
    monkeypatch.setenv("RBT_SPLIT_TOKEN", SPLIT_TOKEN)
    monkeypatch.setenv("RBT_SPACED_URL", f"{spaced.url}?key=sekrit 4711")
    path = write_runbook(runbook(f"""\
  - {{url: "{split.url}", headers: {{Authorization: {{env: RBT_SPLIT_TOKEN, prefix: "Bearer "}}}}}}
  - {{url: {{env: RBT_SPACED_URL}}}}
  - {{url: "{good.url}"}}"""))  # fmt: skip
    journal = tmp_path / "journal.jsonl"
    assert asyncio.run(run(path, journal, Settings())) == "done", "a receiver left out does not stop the change"

    assert not split.requests and not spaced.requests, "nothing is sent with a value split by a line break"
    good.wait_for(lambda r: len(r.requests) == 2, what="the start and the end")
    events: list[dict[str, Any]] = written_events(journal)
    errors = [e["message"] for e in events if e["type"] == "error" and e.get("outreach")]
    assert errors == [
        f"notify {split.url} ({path}:7:5): header Authorization as read from env:RBT_SPLIT_TOKEN: "
        "expected a value on one line, without control characters; this receiver gets nothing",
        f"notify env:RBT_SPACED_URL ({path}:8:5): the url as read: expected a URL without spaces, line breaks or control characters; "
        "this receiver gets nothing",
    ], errors
    text = journal.read_text()
    assert "tok-4711" not in text and "X-Evil" not in text and "sekrit" not in text, "no part of a secret is quoted"
    assert not [e for e in events if e["type"] == "notify_failed"], "refused before sending: no attempt, no retries"


def test_a_receivers_own_content_type_replaces_ours(receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path) -> None:
    hook = receiver("ok")
    settings_file = tmp_path / "settings.yaml"
    settings_file.write_text(f"notify:\n  - {{url: '{hook.url}', events: [session_finished], headers: {{content-type: 'application/json; charset=utf-8'}}}}\n")
    path = write_runbook(runbook(""))
    assert asyncio.run(run(path, tmp_path / "journal.jsonl", load_settings(settings_file))) == "done"
    hook.wait_for(lambda r: len(r.requests) == 1, what="the end")
    [sent] = hook.requests
    assert [v for k, v in sent.headers.items() if k.lower() == "content-type"] == ["application/json; charset=utf-8"], sent.headers


def test_secrets_over_plain_http_to_another_machine_are_a_warning_of_validate(write_runbook: Callable[..., Path], tmp_path: Path) -> None:
    path = write_runbook("""
runbook: 1
id: cleartext
title: Cleartext
secrets: {t: {env: T_TOKEN}}
notify:
  - {url: "http://hooks.internal/x", headers: {Authorization: "Bearer {{ secrets.t }}"}}
  - {url: "http://10.0.0.5/z", headers: {X-Key: {env: K}}}
  - {url: "http://hooks.internal/{{ secrets.t }}"}
  - {url: "http://127.0.0.1:9/x", headers: {Authorization: "Bearer {{ secrets.t }}"}}
  - {url: "http://localhost/x", headers: {X-Key: {env: K}}}
  - {url: "https://hooks.internal/z", headers: {X-Key: {env: K}}}
  - {url: "http://hooks.internal/plain", headers: {X-Team: db}}
sections:
  - {id: change, kind: implement, steps: [{id: one, run: "true", verify: none}]}
""")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")}
    result = subprocess.run([sys.executable, "-m", "runbook_tui", "validate", str(path)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, "a warning: an internal network may be trusted"
    said = "unencrypted: anyone on the way reads them; use https://"
    assert [line for line in result.stderr.splitlines() if "warning" in line] == [
        f"{path}:7:11: warning: 'url': plain http:// to hooks.internal carries secrets (Authorization) {said}",
        f"{path}:8:11: warning: 'url': plain http:// to 10.0.0.5 carries secrets (X-Key) {said}",
        f"{path}:9:11: warning: 'url': plain http:// to hooks.internal carries secrets (the url itself) {said}",
    ], result.stdout + result.stderr


def test_a_password_in_a_receivers_or_alertmanagers_url_is_sent_and_never_journaled_or_shown(
    receiver: Callable[[str], Receiver], write_runbook: Callable[..., Path], tmp_path: Path
) -> None:
    hook = receiver("ok")
    with_password = hook.url.replace("http://", "http://hookuser:pa55-hook-4711@")
    path = write_runbook(f"""
runbook: 1
id: passwords
title: Passwords
notify: [{{url: "{with_password}", events: [session_finished]}}]
alerts:
  alertmanager: "http://amuser:pa55-am-4711@127.0.0.1:9"
  silence: [{{matchers: ['service="api"'], comment: c}}]
sections:
  - {{id: change, kind: implement, steps: [{{id: one, run: "true", verify: none}}]}}
""")
    journal = tmp_path / "exec.jsonl"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")}
    command = [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "t", "--journal", str(journal)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert hook.requests and hook.requests[0].headers["Authorization"] == "Basic aG9va3VzZXI6cGE1NS1ob29rLTQ3MTE=", "still sent, as Basic auth"
    seen = journal.read_text() + result.stdout + result.stderr
    assert "pa55-hook" not in seen and "pa55-am" not in seen
    events = written_events(journal)
    assert [e["target"] for e in events if e["type"] == "notified"] == [hook.url.replace("http://", "http://hookuser:***@")]
    assert [e["alertmanager"] for e in events if e["type"] == "silence_failed"] == ["http://amuser:***@127.0.0.1:9"]
