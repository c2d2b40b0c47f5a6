"""Host groups must name real, distinct hosts: an empty group (static or from a list parameter) would let every
step on it "pass" without running anywhere, and a parameter's host names follow the rules of static entries."""

from __future__ import annotations

import pytest
from helpers_runbook import at, cli_main, errors, load

FROM_PARAM = """
runbook: 1
id: demo
title: Demo
params:
  hs: {type: list, default: [a1]}
hosts:
  web: {from_param: hs}
sections:
  - id: main
    kind: precheck
    steps:
      - {id: probe, on: web, run: hostname, verify: none}
"""


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("", "parameter 'hs' gives group 'web' no hosts; expected at least one host name"),
        # commas without names: empty items, each refused as in `a,,b` (a name lost in typing)
        (" , ", "parameter 'hs': item 1 of ' , ' is empty; expected a value between each two commas (an empty value for no items)"),
        (",,", "parameter 'hs': item 1 of ',,' is empty"),
    ],
)
def test_a_list_parameter_that_gives_a_group_no_hosts_is_refused_before_anything_runs(write_runbook, tmp_path, capsys, given, said):
    path = write_runbook(FROM_PARAM)
    journal = tmp_path / "run.jsonl"
    assert cli_main(["exec", str(path), "--solo", "alice", "--journal", str(journal), "-p", f"hs={given}"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:5:3: {said}" in err
    assert not journal.exists()
    assert cli_main(["validate", str(path), "-p", f"hs={given}"]) == 2
    assert cli_main(["plan", str(path), "-p", f"hs={given}"]) == 2


@pytest.mark.parametrize(
    "declaration",
    ["{type: list, default: []}", "{type: list}", "{type: list, required: true, default: []}"],
)
def test_an_empty_default_or_no_value_is_refused_too(write_runbook, declaration):
    path = write_runbook(FROM_PARAM.replace("{type: list, default: [a1]}", declaration))
    [err] = errors(path)
    assert at(err) == (5, 3)
    assert "parameter 'hs' gives group 'web' no hosts" in err.message


@pytest.mark.parametrize(("group", "col"), [("[]", 8), ("{hosts: []}", 16)])
def test_a_static_group_without_hosts_is_refused(write_runbook, group, col):
    path = write_runbook(FROM_PARAM.replace("{from_param: hs}", group))
    [err] = errors(path)
    assert at(err) == (7, col)
    assert err.message == "group 'web' has no hosts; expected at least one host entry"


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("local", "host name 'local' is reserved for this machine"),
        ("a1,a1", "duplicate host 'a1'; expected each host once"),
        ("a1,a 2", "host name 'a 2' has a space or a control character"),
        ("a1\nrm", "host name 'a1\\nrm' has a space or a control character"),
        ("a1\x1b[31m", "host name 'a1\\x1b[31m' has a space or a control character"),
        # `for h in {{ hs }}; do ssh "$h" true; done` (as tls-cert-rotation loops over lb_hosts): ssh ran the ProxyCommand here
        ("a1,-oProxyCommand=touch${IFS}pwned", "host name '-oProxyCommand=touch${IFS}pwned' starts with '-'"),
        # an ssh config's `Match exec "nc -z %h 22"` runs a shell with the name in it; ssh refuses such names too
        ("a1,x;id", "host name 'x;id' holds ';', which a shell reads"),
        ("y$(id)", "host name 'y$(id)' holds '$', which a shell reads"),
        ("a`id`", "host name 'a`id`' holds '`', which a shell reads"),
        # `ops@db3` as ssh takes it: validated, then `Name or service not known` when the step ran, at 2 AM
        ("a1,ops@db3", "host name 'ops@db3' holds '@': ssh would read it as the user ops on db3"),
    ],
)
def test_host_names_from_a_parameter_follow_the_rules_of_static_entries(write_runbook, given, problem):
    path = write_runbook(FROM_PARAM)
    [err] = errors(path, {"hs": given})
    assert at(err) == (5, 3)
    assert err.message.startswith(f"parameter 'hs' (the hosts of group 'web'): {problem}")


def test_static_host_names_are_checked_the_same_way(write_runbook):
    hosts = """{hosts: [{name: a1}, {name: "a 2"}, {name: "a\\u001b"}, {name: a1, address: 10.0.0.9}]}"""
    path = write_runbook(FROM_PARAM.replace("{from_param: hs}", hosts))
    found = {at(e): e.message for e in errors(path)}
    assert len(errors(path)) == len(found)  # one error at each place (the duplicate a1 was also 'declared again')
    assert found == {
        (7, 36): "host name 'a 2' has a space or a control character; expected a host name without them",
        (7, 51): "host name 'a\\x1b' has a space or a control character; expected a host name without them",
        (7, 70): "group 'web': duplicate host 'a1'; expected each host once",  # at its name (before: at the entry's '{')
    }


def test_a_host_address_or_user_that_is_not_one_word_is_refused_where_it_is_written(write_runbook):
    """Rendered from a parameter too: an escape or U+202E reached `rehearse`'s first line raw (the terminal retitled),
    and a user holding one ended `preflight` with asyncssh's traceback."""
    hosts = """[{name: a1, address: "{{ addr }}", user: "{{ who }}"}, {name: a2, address: "10.0.0.1 -p 2222", user: -oProxyCommand=x}]"""
    path = write_runbook(
        FROM_PARAM.replace("{from_param: hs}", hosts).replace("hs: {type: list, default: [a1]}", "addr: {type: string}\n  who: {type: string}")
    )
    found = {at(e): e.message for e in errors(path, {"addr": "10.0.0.1\x1b]0;pwned\x07", "who": "r\u202eoot"})}
    assert found == {
        (8, 29): "host address '10.0.0.1\\x1b]0;pwned\\x07' has a space or a control character; expected a host address without them",
        (8, 49): "user name 'r\\u202eoot' has a space or a control character; expected a user name without them",
        (8, 83): "host address '10.0.0.1 -p 2222' has a space or a control character; expected a host address without them",
        (8, 109): "user name '-oProxyCommand=x' starts with '-', which ssh, scp and rsync read as an option; expected a user name",
    }
    assert errors(path, {"addr": "db1.example.com", "who": "deploy"})[0].message.startswith("host address '10.0.0.1 -p 2222'")


def test_a_user_written_into_a_host_name_or_address_is_refused_where_it_is_written(write_runbook):
    """`user@host` as ssh takes it: validated, then each step there failed `Name or service not known` when it ran."""
    hosts = """[{name: db1, address: "deploy@10.0.0.5"}, {name: "ops@db2"}]"""
    path = write_runbook(FROM_PARAM.replace("{from_param: hs}", hosts))
    found = {at(e): e.message for e in errors(path)}
    assert found == {
        (7, 30): "host address 'deploy@10.0.0.5' holds '@': ssh would read it as the user deploy on 10.0.0.5, and an address is the"
        " host alone; expected the address alone (10.0.0.5) and user: deploy",
        (7, 57): "host name 'ops@db2' holds '@': ssh would read it as the user ops on db2, and a host name is the host alone; expected"
        " the name alone (db2), the user in user: (or the ssh config's User)",
    }


ONE_NAME_TWICE = """
runbook: 1
id: demo
title: Demo
params:
  web_hosts: {type: list, default: [w1, db1]}
hosts:
  web: {from_param: web_hosts, via: jump}
  jumps:
    - {name: jump, address: 10.9.9.9}
  db:
    - &db1 {name: db1, address: 10.0.0.5, user: postgres}
  again: [*db1]
  same: [{name: db1, address: 10.0.0.5, user: postgres}]
sections:
  - id: main
    kind: precheck
    steps:
      - {id: probe, on: again, run: hostname, verify: none}
"""


def test_a_name_a_host_entry_declares_is_that_entry_in_a_list_parameters_group_too(write_runbook):
    """`-p web_hosts=db1` meant the db1 declared at 10.0.0.5 as postgres; before, once any `via` was written, the
    first group naming db1 (the parameter's, listed first) stood for db1 everywhere: `on: again` connected to the
    address 'db1' through the web group's bastion, as root."""
    runbook = load(write_runbook(ONE_NAME_TWICE)).runbook
    for group in ("web", "db", "again", "same"):
        [db1] = [h for h in runbook.group(group) if h.name == "db1"]
        assert (db1.address, db1.user, db1.via) == ("10.0.0.5", "postgres", None), group
    [w1] = [h for h in runbook.group("web") if h.name == "w1"]
    assert (w1.address, w1.via and w1.via.name) == ("w1", "jump")


@pytest.mark.parametrize(
    "other",
    [
        "{name: db1, address: 10.0.0.9}",
        "{name: db1, address: 10.0.0.5, user: root}",
        "{name: db1, address: 10.0.0.5, user: postgres, port: 2222}",
        "{name: db1, address: 10.0.0.5, user: postgres, via: jump}",
    ],
)
def test_a_host_name_declared_twice_with_other_fields_is_refused_at_the_second(write_runbook, other):
    """Before, `on: db1` ran at the first entry's address and `on: same` at the second's, both journaled as db1."""
    path = write_runbook(ONE_NAME_TWICE.replace("{name: db1, address: 10.0.0.5, user: postgres}]", other + "]"))
    [err] = errors(path)
    assert at(err) == (13, 10)
    assert err.message.startswith("host 'db1' is declared again with other fields (first at line 11)")


def test_a_host_list_file_written_with_commas_is_refused_not_read_as_one_host(write_runbook, tmp_path, capsys):
    """`-p hs=@FILE` takes one host per line; a file `a1,a2` gave one host named `a1,a2`: validate said ok, the plan read
    `on web (a1,a2)` as if two hosts were there, and the step failed on a name no DNS holds."""
    path = write_runbook(FROM_PARAM)
    (tmp_path / "hosts.txt").write_text("a1,a2\n", encoding="utf-8")
    assert cli_main(["validate", str(path), "-p", f"hs=@{tmp_path / 'hosts.txt'}"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:5:3: parameter 'hs' (the hosts of group 'web'): host name 'a1,a2' holds ','" in err, err
    assert "one host per line" in err, err
    (tmp_path / "hosts.txt").write_text("a1\na2\n", encoding="utf-8")
    assert cli_main(["validate", str(path), "-p", f"hs=@{tmp_path / 'hosts.txt'}"]) == 0


def test_a_static_host_name_with_a_comma_is_refused_where_it_is_written(write_runbook):
    path = write_runbook(FROM_PARAM.replace("{from_param: hs}", '[{name: "a1,a2", address: 10.0.0.1}]'))
    [err] = errors(path)
    assert at(err) == (7, 16)  # the name's own column
    assert err.message.startswith("host name 'a1,a2' holds ','")


@pytest.mark.parametrize("command", ["plan", "validate", "exec"])
def test_a_group_left_without_hosts_is_named_with_a_missing_required_parameter_at_once(write_runbook, tmp_path, capsys, command):
    """Every error at once, as the spec's `FILE:LINE:COL` lines promise a checker: before, a missing required parameter
    hid the empty group (no values to build it from), so each fix of one brought the next: `-p ver=1`, then `hs`."""
    path = write_runbook(FROM_PARAM.replace("hs: {type: list, default: [a1]}", "hs: {type: list}\n  ver: {type: string, required: true}"))
    extra = {"validate": ["-p", "hs="], "exec": ["--solo", "t", "--journal", str(tmp_path / "j.jsonl")]}.get(command, [])
    assert cli_main([command, str(path), *extra]) == 2
    err = capsys.readouterr().err
    assert f"{path}:5:3: parameter 'hs' gives group 'web' no hosts" in err, err
    assert f"{path}:6:3: parameter 'ver' is required; expected a value: -p ver=VALUE" in err, err
    assert not (tmp_path / "j.jsonl").exists()


def test_a_list_parameter_whose_own_value_is_wrong_is_not_also_said_to_give_no_hosts(write_runbook, capsys):
    path = write_runbook(FROM_PARAM.replace("hs: {type: list, default: [a1]}", "hs: {type: list}\n  ver: {type: string, required: true}"))
    assert cli_main(["plan", str(path), "-p", "hs=a,,b"]) == 2
    err = capsys.readouterr().err
    assert "item 2 of 'a,,b' is empty" in err and "ver' is required" in err, err
    assert "no hosts" not in err, err
