"""No secret in any file the program writes: journals, reports, the demo's and the share's state."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

SECRET = "s3cr3t-Vault.Token+7f9c"  # regex metacharacters: expect.stdout holds it escaped
ESCAPED = re.escape(SECRET)
# The secret as commands print it encoded (`base64`, `curl -v -u user:…`'s Basic header, `od`, a URL): each must be masked.
BASIC = base64.b64encode(f"user:{SECRET}".encode()).decode()
ENCODED = {
    "base64": base64.b64encode(SECRET.encode()).decode().rstrip("=")[:-1],  # the last letter shares bits with what follows
    "Basic user:secret": BASIC[7 : (5 + len(SECRET)) * 8 // 6],  # letters 7.. carry only the secret's bits ("user:" is 5 bytes)
    "hex": SECRET.encode().hex(),
    "percent-encoded": SECRET.replace("+", "%2B"),
}

RUNBOOK = """
runbook: 1
id: leaky
title: A runbook whose commands print the secret every way they can
secrets:
  token: {env: LEAKY_TOKEN}
sections:
  - id: impl
    kind: implement
    steps:
      - id: ps-it
        run: printf '%s' {{ secrets.token }} > /dev/null; ps -eo args > ps.txt
      - id: echo-it
        run: >-
          echo "token={{ secrets.token }}"; echo "$LEAKY_TOKEN" >&2; printf '%s' "$LEAKY_TOKEN" | rev | rev;
          printf '%s' "$LEAKY_TOKEN" | base64; printf 'user:%s' "$LEAKY_TOKEN" | base64 >&2;
          printf '%s' "$LEAKY_TOKEN" | od -An -tx1 | tr -d ' \\n'; echo; printf '%s' "$LEAKY_TOKEN" | sed 's/+/%2B/g'
        undo: echo undo {{ secrets.token }}
        env: {T: "{{ secrets.token }}"}
        capture: seen
      - id: use-capture
        run: echo "captured={{ captured.seen }}"
        expect:
          stdout: '^never {{ secrets.token }}$'
        undo: echo "undo {{ captured.seen }}"
"""


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "runbook_tui", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_no_file_written_and_no_stream_holds_the_secret(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "leaky.yaml").write_text(dedent(RUNBOOK), encoding="utf-8")
    (tmp_path / "none.yaml").touch()  # an empty settings file: the defaults (a named file that is missing is an error)
    env = {
        **os.environ,
        "LEAKY_TOKEN": SECRET,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "RUNBOOK_TUI_SETTINGS": str(tmp_path / "none.yaml"),
        "HOME": str(tmp_path / "home"),
    }
    streams = []
    run = _run(["exec", "leaky.yaml", "--solo", "test", "--on-failure", "rollback"], work, env)
    streams += [run.stdout, run.stderr]
    assert run.returncode == 1, run.stderr  # the second step fails (its stdout does not match) and the run rolls back
    journal = next((tmp_path / "state").rglob("*.jsonl"))
    for fmt in ("md", "html", "json"):
        report = _run(["report", str(journal), "--format", fmt, "-o", str(work / f"report.{fmt}")], work, env)
        streams += [report.stdout, report.stderr]
        assert report.returncode == 0, report.stderr
    for command in (["journal", "verify", str(journal)], ["plan", "leaky.yaml"], ["preflight", "leaky.yaml"]):
        done = _run(command, work, env)
        streams += [done.stdout, done.stderr]

    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "leaky.yaml"]
    assert journal in written and (work / "report.html") in written and (work / "ps.txt") in written  # ps.txt: every argv while the secret's step ran
    for path in written:
        assert SECRET.encode() not in path.read_bytes(), f"the secret is in {path}"
        assert ESCAPED.encode() not in path.read_bytes(), f"the secret, regex-escaped, is in {path}"
        for how, form in ENCODED.items():
            assert form.encode() not in path.read_bytes(), f"the secret, {how}, is in {path}"
    for text in streams:
        assert SECRET not in text
        assert ESCAPED not in text
        assert not [how for how, form in ENCODED.items() if form in text], text
    assert "***" in journal.read_text(encoding="utf-8")
