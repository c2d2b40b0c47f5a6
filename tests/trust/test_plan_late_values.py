"""`plan`, `plan --json` and `approve` say what renders only when a step starts in words: never `{{`, never a secret.

Before, every string reading `captured.*` (title, ask, note, run, undo, confirm, expect.stdout, cwd, env), `host`
(a title, a cwd) or `secrets.*` (a title) was printed as its raw template: `Fail over to {{ captured.replica }} on
{{ host.name }} with {{ secrets.tok }}`, `in: /srv/{{ captured.ver }}/{{ host.name }}`, where the spec says no `{{`
survives rendering. The approval signs the same plan a run renders, so an approval of it still starts the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runbook_tui.trust.allowed_signers import read_allowed_signers
from runbook_tui.trust.check import check

CLI = [sys.executable, "-m", "runbook_tui"]
SECRET = "tok-9c1e-never-shown"
REPLICA = "⟨captured.replica: from step 'pick'⟩"
VERSION = "⟨captured.ver: from step 'find'⟩"

RUNBOOK = """\
runbook: 1
id: late-values
title: Fail over {{ cluster }}
ticket: {id: CHG-7, assignee: alice, verifier: bob}
params:
  cluster: {type: string, default: main}
secrets:
  tok: {env: PLAN_LATE_TOK}
hosts:
  db:
    - {name: db1, address: 10.0.0.1, user: deploy}
    - {name: db2, address: 10.0.0.2, user: deploy}
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: pick
        title: Pick the replica
        run: echo db2
        capture: replica
      - id: find
        title: Read the version
        run: cat /etc/version
        capture: ver
      - id: use
        title: "Fail over to {{ captured.replica }} on {{ host.name }} with {{ secrets.tok }}"
        on: db
        run: promote {{ captured.replica }} {{ host.name }} {{ secrets.tok }}
        undo: demote {{ captured.replica }} {{ host.name }}
        confirm: "Promote {{ captured.replica }} in {{ cluster }}?"
        cwd: "/srv/{{ captured.ver }}/{{ host.name }}"
        env:
          REPLICA: "{{ captured.replica }}"
          TOKEN: "{{ secrets.tok }}"
        expect:
          stdout: "{{ captured.ver }}"
      - id: tell
        title: "Tell ops about {{ captured.replica }}"
        note: "Tell ops {{ captured.replica }} is primary"
      - id: again
        title: Ask
        ask: "Is {{ captured.replica }} healthy?"
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "R.yaml").write_text(RUNBOOK)
    lines = []
    for name in ("alice", "bob"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(tmp_path / name)], check=True)
        lines.append(f"{name} {' '.join((tmp_path / f'{name}.pub').read_text().split()[:2])}")
    (tmp_path / "allowed_signers").write_text("\n".join(lines) + "\n")
    return tmp_path


def _cli(folder: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS")}
    env.update(
        XDG_CONFIG_HOME=str(folder / "xdg-config"), XDG_STATE_HOME=str(folder / "xdg-state"), SSH_AUTH_SOCK="",
        RUNBOOK_TUI_USER="alice", PLAN_LATE_TOK=SECRET,
    )  # fmt: skip
    return subprocess.run([*CLI, *args], cwd=folder, env=env, input=stdin, capture_output=True, text=True, timeout=60)


def _said_in_words(out: str) -> None:
    assert "{{" not in out, out
    assert SECRET not in out, out


def test_plan_says_late_values_in_words(folder: Path) -> None:
    shown = _cli(folder, "plan", "R.yaml")
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    _said_in_words(out)
    assert f"use: Fail over to {REPLICA} on ⟨host.name⟩ with ***" in out, out
    assert f"in: /srv/{VERSION}/⟨host.name⟩" in out, out
    assert f"env: REPLICA={REPLICA}" in out and "env: TOKEN=***" in out, out
    assert f"run [db1]: promote {REPLICA} db1 '***'" in out and f"run [db2]: promote {REPLICA} db2 '***'" in out, out
    assert f"undo [db1]: demote {REPLICA} db1" in out and f"undo [db2]: demote {REPLICA} db2" in out, out
    assert f"confirm: Promote {REPLICA} in main?" in out, out  # a parameter still renders beside a capture
    assert f"expect: exit 0, stdout /{VERSION}/" in out, out
    assert f"note: Tell ops {REPLICA} is primary" in out and f"tell: Tell ops about {REPLICA}" in out, out
    assert f"ask: Is {REPLICA} healthy?" in out, out


#: `plan --json`'s keys for a step: unchanged (only the values' text says late values in words).
STEP_KEYS = {
    "id", "title", "section", "kind", "on", "hosts", "run", "note", "ask", "wait", "watch", "undo", "checkpoint",
    "verify", "confirm", "expect", "timeout", "retries", "retry_delay", "capture", "sudo", "cwd", "env", "serial",
    "max_fail",
}  # fmt: skip


def test_plan_json_says_late_values_in_words_under_the_same_keys(folder: Path) -> None:
    shown = _cli(folder, "plan", "--json", "R.yaml")
    assert shown.returncode == 0, shown.stderr
    _said_in_words(shown.stdout)
    plan = json.loads(shown.stdout)
    assert set(plan) == {"runbook", "format", "title", "file", "digest", "ticket", "params", "hosts", "secrets", "panels", "sections", "connections",
                         "panel_details", "success_checks"}  # fmt: skip
    steps: dict[str, dict[str, Any]] = {s["id"]: s for section in plan["sections"] for s in section["steps"]}
    assert all(set(step) == STEP_KEYS for step in steps.values()), [sorted(step) for step in steps.values()]
    use = steps["use"]
    assert use["title"] == f"Fail over to {REPLICA} on ⟨host.name⟩ with ***"
    assert use["run"] == {"db1": f"promote {REPLICA} db1 '***'", "db2": f"promote {REPLICA} db2 '***'"}
    assert use["undo"] == {"db1": f"demote {REPLICA} db1", "db2": f"demote {REPLICA} db2"}
    assert use["confirm"] == f"Promote {REPLICA} in main?"
    assert use["cwd"] == f"/srv/{VERSION}/⟨host.name⟩"
    assert use["env"] == {"REPLICA": REPLICA, "TOKEN": "***"}
    assert use["expect"]["stdout"] == VERSION
    assert steps["tell"]["note"] == f"Tell ops {REPLICA} is primary"
    assert steps["again"]["ask"] == f"Is {REPLICA} healthy?"


def test_approve_shows_the_plan_in_words_and_a_run_of_it_starts_under_the_approval(folder: Path) -> None:
    signing = ["approve", "R.yaml", "--identity", "bob", "--allowed-signers", "allowed_signers", "-o", "bob.approval", "--solo", "the test runs alone"]
    refused = _cli(folder, *signing, stdin="no\n")
    assert refused.returncode == 1 and not (folder / "bob.approval").exists(), refused.stdout + refused.stderr
    _said_in_words(refused.stdout)
    assert f"use: Fail over to {REPLICA} on ⟨host.name⟩ with ***" in refused.stdout, refused.stdout
    assert f"in: /srv/{VERSION}/⟨host.name⟩" in refused.stdout, refused.stdout
    made = _cli(folder, *signing, stdin="yes\n")
    assert made.returncode == 0, made.stdout + made.stderr
    _said_in_words(made.stdout)
    _said_in_words((folder / "bob.approval").read_text())  # the approved plan it holds
    # The run renders the same plan (in words, the same on every machine and at every time): the approval holds.
    ran = _cli(
        folder, "exec", "R.yaml", "--solo", "test", "--dry-run", "--ack-manual", "test", "--journal", "J.jsonl",
        "--allowed-signers", "allowed_signers", "--approval", "bob.approval", "--identity", "alice",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    events = [json.loads(line) for line in (folder / "J.jsonl").read_text().splitlines()]
    assert [e["principal"] for e in events if e["type"] == "plan_approved"] == ["bob"], ran.stdout
    _said_in_words(json.dumps(events[0]["plan"], ensure_ascii=False))  # the journal's plan, which the screens show
    verified = _cli(folder, "journal", "verify", "J.jsonl", "--allowed-signers", "allowed_signers")
    assert verified.returncode == 0 and "sealed by alice" in verified.stdout, verified.stdout + verified.stderr
    checked = check(events, read_allowed_signers(str(folder / "allowed_signers")))  # the approved hash, rebuilt from that plan
    assert checked.approval is not None and checked.approval.status == "verified" and not checked.problems, checked
