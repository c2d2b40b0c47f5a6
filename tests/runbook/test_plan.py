"""`plan`: what will run, where, with which undo, before the window opens.

`plan --json` is a contract for scripts: it is compared to a golden file.
To regenerate the golden after an intended change (of the plan format or
of the fixture runbook), run

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/runbook/test_plan.py

and review the diff of tests/runbook/data/*.plan.json before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers_runbook import MINIMAL, cli_main

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "web-config-rollout.yaml"
GOLDEN = DATA / "web-config-rollout.plan.json"
#: How the golden names the runbook file: the CLI prints the path as given, so the test
#: passes an absolute path and replaces it with this one, the same on every machine.
RELATIVE_FIXTURE = "tests/runbook/data/web-config-rollout.yaml"
PARAMS = ["-p", "config_version=v42", "-p", "env=production"]


def plan(capsys, *args: str) -> tuple[int, str, str]:
    code = cli_main(["plan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_json_matches_golden(capsys, monkeypatch):
    # A secret present in the environment must still never reach the plan.
    monkeypatch.setenv("HEALTH_TOKEN", "tok-3f9a-never-shown")
    code, out, err = plan(capsys, "--json", str(FIXTURE), *PARAMS)
    assert code == 0, err
    assert err == ""
    assert "tok-3f9a-never-shown" not in out
    got = json.loads(out)
    assert got["file"] == str(FIXTURE)
    got["file"] = RELATIVE_FIXTURE
    # How each host is reached depends on this machine (user, ~/.ssh): checked by shape here, by value in test_ssh_config.py.
    connections = got.pop("connections")
    assert set(connections) == {h for group, hosts in got["hosts"].items() if group != "local" for h in hosts}
    assert all(hops[0]["sources"]["address"] for hops in connections.values())
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert got == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_plan_json_shows_what_differs_per_host_and_what_waits_for_a_capture(capsys):
    code, out, _ = plan(capsys, "--json", str(FIXTURE), *PARAMS)
    assert code == 0
    steps = {s["id"]: s for section in json.loads(out)["sections"] for s in section["steps"]}
    assert steps["save-config"]["run"] == {
        "web1": "cp /etc/nginx/nginx.conf /var/backups/nginx.conf.web1",
        "web2": "cp /etc/nginx/nginx.conf /var/backups/nginx.conf.web2",
    }
    assert steps["save-config"]["checkpoint"] is True
    # The capture is known only once `current-version` ran: the plan says so in words, never as `{{`.
    assert "/srv/configs/⟨captured.old_version: from step 'current-version'⟩/nginx.conf" in steps["install"]["undo"]["web1"]
    assert steps["install"]["run"]["web1"].startswith("install -m 644 /srv/configs/v42/")
    assert steps["smoke"]["run"]["web2"] == "curl -fsS --oauth2-bearer '***' http://10.0.1.12/healthz"


def test_plan_human_output(capsys):
    code, out, err = plan(capsys, str(FIXTURE), *PARAMS)
    assert code == 0, err
    # A command that differs per host is shown for each host.
    assert "run [web1]: cp /etc/nginx/nginx.conf /var/backups/nginx.conf.web1" in out
    assert "run [web2]: cp /etc/nginx/nginx.conf /var/backups/nginx.conf.web2" in out
    assert "undo [web1]: rm -f /var/backups/nginx.conf.web1" in out
    assert "run [web1]: curl -fsS --oauth2-bearer '***' http://10.0.1.11/healthz" in out
    # The same command on every host is shown once.
    assert "run: nginx -t" in out and "[web1]: nginx -t" not in out
    assert "CHECKPOINT" in out
    checkpoint_block = out[out.index("save-config") : out.index("current-version")]
    assert "CHECKPOINT" in checkpoint_block
    # A run step without undo says so.
    nginx_block = out[out.index("nginx-ok") : out.index("save-config")]
    assert "undo: (none)" in nginx_block
    assert "ticket CHG-3107" in out
    assert "NO TICKET" not in out
    assert "verify none" in nginx_block


def test_plan_says_when_there_is_no_ticket(write_runbook, capsys):
    path = write_runbook(MINIMAL)
    code, out, _ = plan(capsys, str(path))
    assert code == 0
    assert "NO TICKET" in out
    assert "undo: (none)" in out
    assert "run: echo hello" in out
    code, out, _ = plan(capsys, "--json", str(path))
    assert code == 0 and json.loads(out)["ticket"] is None


@pytest.mark.parametrize("as_json", [False, True])
def test_plan_of_invalid_runbook_exits_2(write_runbook, capsys, as_json):
    path = write_runbook(MINIMAL.replace("runbook: 1", "runbook: 2"))
    code, out, err = plan(capsys, *(["--json"] if as_json else []), str(path))
    assert code == 2
    assert out == ""
    assert err.startswith(f"{path}:1:10: ")


def test_plan_with_bad_param_exits_2(capsys):
    code, out, err = plan(capsys, str(FIXTURE), "-p", "config_version=42")
    assert code == 2
    assert out == ""
    assert "parameter 'config_version'" in err


def test_plan_writes_parameters_as_the_runbook_yaml_does(write_runbook, capsys):
    """Before: `plan` (and `approve`, which signs after showing it) printed `dry=False, hosts=['a', 'b'], note=None`,
    Python's words, while the report and `plan --format md` wrote `false`."""
    declared = "params:\n  dry: {type: bool, default: false}\n  hosts: {type: list, default: [a, b]}\n  note: {type: string}\n"
    code, out, err = plan(capsys, str(write_runbook(MINIMAL.replace("sections:\n", declared + "sections:\n"))))
    assert code == 0, err
    assert '  params: dry=false, hosts=["a", "b"], note=\n' in out, out


def test_plan_shows_a_command_of_several_lines_as_exec_does(write_runbook, capsys):
    """Each further line of a command of several lines under the first behind `│ `, where the first line's text starts (exec's and a dry
    run's layout, one function); before, two columns left of it and unmarked. An escape on such a line is shown."""
    body = "run: \"echo one\\necho '\\e]0;pwned\\a'\\necho three\\n\"\n"  # YAML's escapes: ESC and BEL
    code, out, err = plan(capsys, str(write_runbook(MINIMAL.replace("run: echo hello\n", body))))
    assert code == 0, err
    assert "       run: echo one\n          │ echo '␛]0;pwned␇'\n          │ echo three\n       expect:" in out, out
    assert "\x1b" not in out and "\x07" not in out


def test_plan_json_gives_each_panels_thresholds_and_guard_under_new_keys(write_runbook, capsys):
    """Before: `panels` listed ids only, so a reviewer's script could not see where a guard trips nor what it does."""
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        metrics:
          source: {prometheus: {url: "http://prometheus:9090"}}
          panels:
            - {id: p99, title: API p99, query: up, unit: ms, warn: 200, critical: 300, for: 30s, on_critical: rollback}
            - {id: rps, query: "rate(x[1m])", warn: 60, critical: 20, direction: below, on_critical: notify, on_no_data: ignore}
            - {id: cpu, query: cpu, warn: 80}
          success:
            - {panel: p99, below: 250, within: 10m}
        sections:
          - id: main
            steps:
              - {id: a, run: echo 1}
        """
    )
    code, out, err = plan(capsys, "--json", str(path))
    assert code == 0, err
    got = json.loads(out)
    assert got["panels"] == ["p99", "rps", "cpu"]  # the old key, as it was
    p99, rps, cpu = got["panel_details"]
    assert p99 == {
        "id": "p99", "title": "API p99", "query": "up", "unit": "ms", "warn": 200, "critical": 300, "direction": "above", "for": 30,
        "on_critical": "rollback", "on_no_data": "pause", "guarded": True,
    }  # fmt: skip
    assert (rps["warn"], rps["critical"], rps["direction"], rps["on_critical"], rps["on_no_data"], rps["guarded"]) == (
        60,
        20,
        "below",
        "notify",
        "ignore",
        True,
    )
    assert (cpu["warn"], cpu["critical"], cpu["guarded"]) == (80, None, False)
    assert got["success_checks"] == [{"panel": "p99", "below": 250, "within": 600}]


def test_the_plan_an_approval_binds_is_unchanged_by_the_new_keys(write_runbook):
    """An approval signed before these keys existed must still match the plan a run renders (the digest binds the values)."""
    from helpers_runbook import load

    from runbook_tui.runbook.plan import plan_json

    keys = set(plan_json(load(write_runbook(MINIMAL)).runbook))
    assert {"panel_details", "success_checks"}.isdisjoint(keys) and "panels" in keys


@pytest.mark.parametrize("form", ["text", "md", "html"])
def test_a_fractional_duration_is_shown_as_written_not_rounded(capsys, write_runbook, form):
    """`timeout: 1.5` read 'timeout 2s' in the plan the verifier approves (and `retry_delay: 2.5`, `wait: 90.5`
    read 2s and 1m30s): whole seconds, rounded half to even."""
    path = write_runbook(
        MINIMAL.replace("run: echo hello", "run: echo hello\n        timeout: 1.5\n        retries: 1\n        retry_delay: 2.5")
        + "      - {id: pause, wait: 90.5}\n"
    )
    code, out, err = plan(capsys, "--format", form, str(path))
    assert code == 0, err
    assert "timeout 1.5s" in out and "1m30.5s" in out
    assert "2s" not in out.replace("2.5s", "") and "1m30s" not in out
    if form != "text":
        assert "2.5s apart" in out


@pytest.mark.parametrize("form", ["text", "md"])
def test_a_capture_on_a_group_says_whose_output_it_keeps(capsys, write_runbook, form):
    """A capture on a group keeps one host's stdout (the first listed); the plan said only 'capture -> captured.lag',
    so the verifier could not tell which replica's lag the later steps would use."""
    path = write_runbook(
        MINIMAL.replace("sections:", "hosts:\n  db: [{name: db1, address: 10.0.0.5}, {name: db2, address: 10.0.0.6}]\nsections:").replace(
            "run: echo hello", "run: echo 0.1\n        on: db\n        capture: lag"
        )
        + "      - {id: one, run: hostname, on: db2, capture: name}\n"
    )
    code, out, err = plan(capsys, "--format", form, str(path))
    assert code == 0, err
    said = {
        "text": "capture -> captured.lag (stdout of db1, the first of its 2 hosts)",
        "md": "keeps its output as captured.lag (the output of db1, the first of its 2 hosts)",
    }
    assert said[form] in out.replace("\\", "")
    assert out.count("the first of its") == 1  # a capture on one host needs no words


@pytest.mark.parametrize("form", ["text", "md"])
def test_an_expect_metric_with_within_says_how_long_it_waits(capsys, write_runbook, form):
    """`expect: {metric: {panel: p99, below: 250, within: 2m}}` waits up to 2 minutes for the panel to hold; the text
    plan read `panel p99 below 250`, as if it were read once (md said `within 2m`)."""
    metrics = 'metrics:\n  source: {scrape: {url: "http://127.0.0.1:9/metrics"}}\n  panels: [{id: p99, query: up}]\n'
    text = MINIMAL.replace("sections:", metrics + "sections:").replace(
        "run: echo hello", "run: echo hello\n        expect: {metric: {panel: p99, below: 250, within: 2m}}"
    )
    code, out, err = plan(capsys, "--format", form, str(write_runbook(text)))
    assert code == 0, err
    assert "panel p99 below 250 within 2m" in out


def test_a_command_step_with_watch_says_which_panels_it_watches(capsys, write_runbook):
    """`watch:` on a run step draws those panels large while it runs (as on a wait); the text plan said it for a wait only."""
    metrics = 'metrics:\n  source: {scrape: {url: "http://127.0.0.1:9/metrics"}}\n  panels: [{id: p99, query: up}, {id: err, query: up}]\n'
    text = MINIMAL.replace("sections:", metrics + "sections:").replace("run: echo hello", "run: echo hello\n        watch: [p99, err]")
    code, out, err = plan(capsys, str(write_runbook(text)))
    assert code == 0, err
    assert "on local; verify after; watching p99, err" in out, out


def test_a_command_reading_a_method_of_now_shows_its_known_values(capsys, tmp_path):
    """`{{ now.strftime(...) }}` has no value before its step starts, and a stand-in has no `strftime`: the plan showed
    every value of such a command in words (`pg_dump ⟨db⟩ > /backup/⟨db⟩-⟨now.strftime('%Y%m%d')⟩.sql`), the database
    the approver signs for unread, though `-p db=...` gave it. Now only the late expression is in words."""
    runbook = tmp_path / "dump.yaml"
    runbook.write_text(
        "runbook: 1\nid: dump\ntitle: Dump\nparams:\n  db: {type: string, required: true}\nsections:\n  - id: b\n    title: Backup\n"
        "    kind: backup\n    steps:\n      - id: dump\n        title: Dump\n"
        "        run: \"pg_dump {{ db }} > /backup/{{ db }}-{{ now.strftime('%Y%m%d') }}.sql\"\n"
        "        undo: \"rm /backup/{{ db }}-{{ now.strftime('%Y%m%d') }}.sql\"\n"
    )
    code, out, err = plan(capsys, "--json", str(runbook), "-p", "db=orders")
    assert code == 0, err
    [step] = json.loads(out)["sections"][0]["steps"]
    assert step["run"] == {"local": "pg_dump orders > /backup/orders-⟨now.strftime('%Y%m%d')⟩.sql"}
    assert step["undo"] == {"local": "rm /backup/orders-⟨now.strftime('%Y%m%d')⟩.sql"}
