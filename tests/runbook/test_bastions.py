"""`via:` bastions in the runbook: linked to their host entries, chains allowed, unknown names and cycles refused at FILE:LINE:COL."""

from __future__ import annotations

import json
from pathlib import Path

from helpers_runbook import at, cli_main, errors, load

HEAD = """
runbook: 1
id: demo
title: Demo
"""
TAIL = """
sections:
  - id: main
    steps:
      - {id: hello, run: echo hello, on: db}
"""


def test_via_links_host_entries_into_chains_and_groups_give_their_via_to_hosts_naming_none(write_runbook):
    path = write_runbook(
        HEAD
        + """
hosts:
  jump:
    - {name: outer, address: 10.0.0.1}
    - {name: inner, via: outer}
  db:
    via: inner
    hosts:
      - {name: db1}
      - {name: db2, via: outer}
"""
        + TAIL
    )
    hosts = dict(load(path).runbook.hosts)
    db1, db2 = hosts["db"]
    assert db1.path == "db1 via inner via outer"
    assert db1.via is not None and db1.via.via is not None and db1.via.via.address == "10.0.0.1"
    assert db2.path == "db2 via outer"
    assert [h.path for h in hosts["jump"]] == ["outer", "inner via outer"]


def test_a_from_param_group_takes_a_via_for_all_its_hosts(write_runbook):
    path = write_runbook(
        HEAD
        + """
params:
  targets: {type: list, default: [a1, a2]}
hosts:
  jump: [{name: bastion1}]
  db: {from_param: targets, via: bastion1}
"""
        + TAIL
    )
    assert [h.path for h in dict(load(path).runbook.hosts)["db"]] == ["a1 via bastion1", "a2 via bastion1"]


def test_a_cycle_of_bastions_is_refused_once_at_the_via_that_closes_it(write_runbook):
    path = write_runbook(
        HEAD
        + """
hosts:
  db:
    - {name: db1, via: a}
    - {name: a, via: b}
    - {name: b, via: a}
"""
        + TAIL
    )
    [err] = errors(path)
    assert "via: bastions form a cycle (a -> b -> a)" in err.message
    assert "expected a chain that ends at a host reached directly" in err.message
    assert at(err) == (9, 22)


def test_a_host_that_is_its_own_bastion_and_an_unknown_bastion_are_both_reported(write_runbook):
    path = write_runbook(
        HEAD
        + """
hosts:
  db:
    - {name: db1, via: db1}
    - {name: db2, via: nowhere}
    - {name: db3, via: local}
"""
        + TAIL
    )
    found = {at(e): e.message for e in errors(path)}
    assert "cycle (db1 -> db1)" in found[(7, 24)]
    assert found[(8, 24)].startswith("via: unknown host 'nowhere'; expected the name of another host entry (")
    assert "unknown host 'local'" in found[(9, 24)]


def test_plan_shows_the_path_of_each_host(write_runbook, capsys):
    path = write_runbook(
        HEAD
        + """
hosts:
  jump: [{name: bastion1, address: 10.0.0.1}]
  db: [{name: db1, address: 10.1.0.5, via: bastion1}]
"""
        + TAIL
    )
    assert cli_main(["plan", str(path)]) == 0
    out = capsys.readouterr().out
    assert "on db (db1 via bastion1)" in out
    assert "  db1 via bastion1\n" in out  # the Connections section
    assert f"== Connections  (ssh config: {Path.home() / '.ssh' / 'config'}: not there, nothing read from it)\n" in out, out
    assert cli_main(["plan", "--json", str(path)]) == 0
    assert '"path": "db1 via bastion1"' in capsys.readouterr().out


def test_plan_json_gives_every_known_hosts_file_and_certificate_the_connection_uses(write_runbook, capsys, tmp_path, monkeypatch):
    """`UserKnownHostsFile A B`: ssh (and the executor) read both. Before, `plan --json` gave `known_hosts: A` alone."""
    config = tmp_path / "ssh_config"
    config.write_text("Host db1\n  UserKnownHostsFile /kh/a /kh/b\n  CertificateFile /certs/db.pub\n")
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"ssh: {{config: {config}}}\n")
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(settings))
    path = write_runbook(HEAD + "hosts:\n  db: [{name: db1}]\n" + TAIL)
    assert cli_main(["plan", "--json", str(path)]) == 0
    [hop] = json.loads(capsys.readouterr().out)["connections"]["db1"]
    assert (hop["known_hosts"], hop["known_hosts_files"], hop["certificates"]) == ("/kh/a", ["/kh/a", "/kh/b"], ["/certs/db.pub"]), hop
    assert hop["sources"]["known_hosts"] == hop["sources"]["certificate"] == str(config), hop
