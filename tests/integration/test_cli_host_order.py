"""exec's lines and the report's timeline (and so replay's log: the same words from the journal) name hosts in one order.

The journal holds each line's keys sorted, while exec (and the live log) said the event as the run built it: a step's
commands in the runbook's host order, an undo's ends in the undo order (newest first). The report's timeline says it
is "as `exec` prints them", and it was not: `undo push: web10: ok exit 0; web2: …; db1: …` live, `db1: …; web10: …;
web2: …` read back. Now every view says a `{host: …}` by name, numbers as numbers: db1, web2, web10.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from integration_cli import Cli

from runbook_tui.report import build_report, render

pytestmark = pytest.mark.peers


def test_exec_and_the_timeline_say_the_hosts_of_an_event_in_one_order(cli: Cli) -> None:
    hosts = [{**host, "name": name} for host, name in zip(cli.hosts(3), ["web10", "web2", "db1"], strict=True)]
    doc = {
        "runbook": 1, "id": "order", "title": "Host order", "hosts": {"fleet": hosts},
        "sections": [{"id": "impl", "kind": "implement", "steps": [
            {"id": "push", "on": "fleet", "run": "echo push", "undo": "echo undo-push"},
            {"id": "skew", "on": "fleet", "run": "case {{ host.name }} in web2) exit 3;; esac", "undo": "true"},
        ]}],
    }  # fmt: skip
    path = cli.dir / "order.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    result = cli.run("exec", str(path), "--solo", "order", "--journal", "j.jsonl", "--on-failure", "rollback")
    assert result.returncode == 1 and "rollback finished" in result.stdout, result.stdout + result.stderr

    # exec's event lines and their details; not the output (`  web2 | push`), which the timeline leaves out
    printed = [line for line in result.stdout.splitlines() if re.match(r"^\d\d:\d\d:\d\d |^   ", line)]
    timeline = render(build_report(Path(cli.dir / "j.jsonl")), "md").split("## Timeline")[1].split("```")[1].strip("\n").splitlines()
    assert printed == timeline, "\n".join(f"{a!r}\n{b!r}" for a, b in zip(printed, timeline, strict=False) if a != b)
    assert any(line.endswith("undo push: db1: ok exit 0; web2: ok exit 0; web10: ok exit 0") for line in printed), result.stdout
    assert "   run on 3 hosts (db1, web2, web10):" in printed, result.stdout
