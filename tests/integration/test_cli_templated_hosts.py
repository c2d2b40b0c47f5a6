"""Hosts written as templates render from params at load, and run over the suite's real sshd.

`address: "{{ replica_address }}"` used to reach `exec` as the literal template;
a title using `captured.*` used to be refused at load.
"""

from __future__ import annotations

import pytest
import yaml
from integration_cli import Cli, events, of_type

pytestmark = pytest.mark.peers


def test_a_runbook_with_templated_hosts_runs_over_ssh(cli: Cli) -> None:
    doc = {
        "runbook": 1,
        "id": "templated-hosts-ssh",
        "title": "Workers on {{ replica }}",
        "params": {
            "replica": {"type": "string"},
            "replica_address": {"type": "string"},
            "ssh_port": {"type": "int"},
            "ssh_user": {"type": "string"},
            "key": {"type": "string"},
            "dir": {"type": "string"},
        },
        "hosts": {
            "replicas": [
                {"name": "{{ replica }}", "address": "{{ replica_address }}", "port": "{{ ssh_port }}", "user": "{{ ssh_user }}", "identity": "{{ key }}"}
            ]
        },
        "sections": [
            {
                "id": "impl",
                "title": "Change",
                "kind": "implement",
                "steps": [
                    {"id": "read", "title": "Read the workers on {{ replica }}", "on": "{{ replica }}", "run": "echo 4", "capture": "old", "verify": "none"},
                    {
                        "id": "set",
                        "title": "Set workers from {{ captured.old }} to 8 on {{ host.name }}",
                        "on": "replicas",
                        "run": "echo {{ captured.old }} > {{ dir }}/ran-on-{{ host.name }}",
                        "undo": "rm -f {{ dir }}/ran-on-{{ host.name }}",
                        "verify": "none",
                    },
                ],
            }
        ],
    }
    path = cli.dir / "templated.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
    params = {
        "replica": "db7",
        "replica_address": "127.0.0.1",
        "ssh_port": str(cli.sshd.port),
        "ssh_user": "root",
        "key": str(cli.sshd.client_key),
        "dir": str(cli.dir),
    }
    args = [a for name, value in params.items() for a in ("-p", f"{name}={value}")]

    plan = cli.run("plan", str(path), *args)
    assert plan.returncode == 0, plan.stderr
    assert "{{ replica" not in plan.stdout and "on db7 (db7)" in plan.stdout

    result = cli.run("exec", str(path), *args, "--solo", "integration", "--journal", "j.jsonl")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (cli.dir / "ran-on-db7").read_text() == "4\n", "the command ran over SSH with the captured value"
    journal = events(cli.dir / "j.jsonl")
    [started] = of_type(journal, "step_started", step="set")
    assert started["title"] == "Set workers from 4 to 8 on db7"
    assert started["commands"] == {"db7": f"echo 4 > {cli.dir}/ran-on-db7"}
    assert started["undo"] == {"db7": f"rm -f {cli.dir}/ran-on-db7"}
    assert all("{{" not in str(e) for e in journal if e["type"] in ("step_ready", "step_started"))
