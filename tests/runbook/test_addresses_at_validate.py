"""Addresses no request or connection could use are found by `validate`, at their FILE:LINE:COL: `http://[::1`,
`http://a..b:9090`, a port over 65535 and a host address `a..b` passed, and the run refused them only when it
reached them (and, before the run's own fixes, with a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from runbook_tui import cli
from runbook_tui.runbook.host_entries import is_host_name

RUNBOOK = """\
runbook: 1
id: addresses
title: Addresses
hosts:
  web:
    - {{name: w1, address: "{address}"}}
metrics:
  source:
    prometheus: {{url: "{url}"}}
  panels:
    - {{id: up, title: Up, query: up}}
notify:
  - {{url: "{hook}"}}
sections:
  - id: s
    title: S
    kind: implement
    steps:
      - {{id: a, title: a, run: "true", on: web}}
"""


def _validate(tmp_path: Path, capsys: pytest.CaptureFixture[str], **fields: str) -> tuple[int, list[str]]:
    values = {"address": "web-1.example.com", "url": "http://prom.example.com:9090", "hook": "https://hooks.example.com/x"} | fields
    path = tmp_path / "r.yaml"
    path.write_text(RUNBOOK.format(**values), encoding="utf-8")
    code = cli.main(["validate", str(path)])
    return code, capsys.readouterr().err.splitlines()


def test_good_addresses_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _validate(tmp_path, capsys) == (0, [])
    assert _validate(tmp_path, capsys, address="::1", url="http://[::1]:9090", hook="http://_hooks.local:8080/x") == (0, [])
    assert _validate(tmp_path, capsys, address="10.0.0.255") == (0, [])


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"url": "http://[::1"}, "9:23: 'url': 'http://[::1' cannot be read as a URL (Invalid IPv6 URL); expected http://HOST[:PORT]/PATH"),
        ({"url": "http://a..b:9090"}, "9:23: 'url': the host 'a..b' is no valid host name (a part between dots is empty or over 63 characters)"),
        ({"url": "ftp://prom/metrics"}, "9:23: 'url': expected an http:// or https:// URL, got 'ftp://prom/metrics'"),
        (
            {"hook": "http://hooks:99999/x"},
            "13:11: 'url': 'http://hooks:99999/x' cannot be read as a URL (Port out of range 0-65535); expected http://HOST[:PORT]/PATH",
        ),
        (
            {"address": "a..b"},
            "6:27: host address 'a..b' is no valid host name (a part between dots is empty or over 63 characters); expected a name or an IP address",
        ),
        # a mistyped IPv4 address (before: valid, and DNS was asked for the name '10.0.0.256' when the step ran)
        *(
            ({"address": typo}, f"6:27: host address '{typo}' is no IPv4 address (four numbers 0-255 between dots); expected an IP address or a name")
            for typo in ("10.0.0.256", "999.1.1.1", "10.0.6", "010.0.0.5")
        ),
        # a port written into the address, an IPv6 address in a URL's brackets (before: valid; the step's connection
        # asked DNS for the name 'db1.example.com:2222' or '[::1]', and preflight said `db1 (db1.example.com:2222:22)`)
        (
            {"address": "db1.example.com:2222"},
            "6:27: host address 'db1.example.com:2222' has a port in it; expected the address alone (db1.example.com) and port: 2222",
        ),
        *(
            (
                {"address": written},
                f"6:27: host address '{written}' is in brackets, as a URL writes an IPv6 address; expected it without them (::1), a port in port:",
            )
            for written in ("[::1]", "[::1]:2222")
        ),
    ],
)
def test_an_unusable_address_is_refused_at_its_place(tmp_path: Path, capsys: pytest.CaptureFixture[str], fields: dict[str, str], said: str) -> None:
    code, lines = _validate(tmp_path, capsys, **fields)
    assert code == 2
    assert lines == [f"{tmp_path / 'r.yaml'}:{said}"], lines


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ('{name: w1, address: ""}', "r.yaml:6:27: an empty host address; expected a host address, or the key left out"),
        ('{name: w1, user: ""}', "r.yaml:6:24: an empty user name; expected a user name, or the key left out"),
        ("{name: w1, user: ''}", "r.yaml:6:24: an empty user name; expected a user name, or the key left out"),
        # before: valid; the plan said `identity the SSH agent, ~/.ssh/id_* (runbook)`, over ~/.ssh/config's IdentityFile
        ('{name: w1, identity: " "}', "r.yaml:6:28: an empty identity; expected the path of a private key file, or the key left out"),
    ],
)
def test_an_empty_address_or_user_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str, said: str) -> None:
    """Before: valid; `user: ""` won over ~/.ssh/config's User (runbook fields win) and ssh was asked to log in as ""
    (the plan said `user  (runbook)`), and `address: ""` became the host's name without a word."""
    path = tmp_path / "r.yaml"
    path.write_text(RUNBOOK.format(address="x", url="http://p:9090", hook="https://h/x").replace('{name: w1, address: "x"}', entry), encoding="utf-8")
    assert cli.main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"{tmp_path}/{said}"]


@example("a" * 63)
@example("a" * 64)
@example("a" * 64 + ".")
@example("a." + "b" * 64)
@example("a..b")
@example(".a")
@example("a.")
@example("")
@given(st.text(alphabet=st.sampled_from("ab.-[]:é"), max_size=140) | st.builds(".".join, st.lists(st.text("a", min_size=0, max_size=70), max_size=4)))
def test_a_name_is_taken_as_the_idna_codec_takes_it(name: str) -> None:
    """An ASCII name is judged without importing the codec (a load paid ~1 ms for it): as the codec judges it."""
    try:
        name.strip("[]").encode("idna")
        encodes = True
    except UnicodeError:
        encodes = False
    assert is_host_name(name) == encodes, name
