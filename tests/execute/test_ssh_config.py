"""~/.ssh/config for host entries: aliases and their values, runbook fields winning, ProxyJump chains, the setting that turns it off.

Every config here is a temp file (never the real ~/.ssh/config). Connections
over these routes are tested against real sshd in test_ssh_bastion.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runbook_tui.app.settings import SettingsError, load_settings
from runbook_tui.execute.ssh_config import PORT_WORDS, SshConfigError, SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

MARK = Mark("rb.yaml", 1, 1)
CONFIG = """\
Host db1
  HostName 10.1.1.1
  User deploy
  Port 2200
  IdentityFile /keys/db
  UserKnownHostsFile /kh/prod
  ProxyJump ops@jump1:2022,jump2
Host jump2
  HostName 10.9.9.2
Host *.example
  User fallback
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "ssh_config"
    path.write_text(CONFIG)
    return path


def test_an_alias_takes_every_value_from_the_config_and_plan_can_say_so(config: Path) -> None:
    route = SshConfigResolver(str(config), "/kh/settings").endpoint(Host("db1", "db1", MARK))
    assert (route.address, route.port, route.user, route.identities, route.known_hosts) == ("10.1.1.1", 2200, "deploy", ("/keys/db",), "/kh/prod")
    assert dict(route.sources) == {
        "address": str(config), "port": str(config), "user": str(config), "identity": str(config),
        "known_hosts": str(config), "forward_agent": "default", "via": f"{config} ProxyJump",
    }  # fmt: skip
    assert route.path == "db1 via jump2 via jump1"
    jump2 = route.via
    assert jump2 is not None and (jump2.address, jump2.port, jump2.known_hosts) == ("10.9.9.2", 22, "/kh/settings")
    jump1 = jump2.via
    assert jump1 is not None and (jump1.address, jump1.port, jump1.user, jump1.via) == ("jump1", 2022, "ops", None)
    assert dict(jump1.sources)["user"] == "ProxyJump"
    assert route.forward_agent is False


def test_runbook_fields_win_over_the_config(config: Path) -> None:
    host = Host("db1", "db1", MARK, port=22, user="root", identity="/keys/mine", given=frozenset({"port"}))
    route = SshConfigResolver(str(config), "/kh/settings").endpoint(host)
    assert (route.address, route.port, route.user, route.identities) == ("10.1.1.1", 22, "root", ("/keys/mine",))
    assert dict(route.sources)["port"] == dict(route.sources)["user"] == "runbook"
    bastion = Host("b", "10.0.0.1", MARK, given=frozenset({"address"}))
    via = SshConfigResolver(str(config), "/kh/settings").endpoint(Host("db1", "db1", MARK, via=bastion))
    assert via.path == "db1 via b" and dict(via.sources)["via"] == "runbook"


def test_a_given_address_is_what_the_config_is_matched_on(config: Path) -> None:
    route = SshConfigResolver(str(config), "/kh").endpoint(Host("web", "web1.example", MARK))
    assert (route.address, route.user) == ("web1.example", "fallback")


def test_no_config_means_runbook_values_and_defaults_only(config: Path) -> None:
    route = SshConfigResolver(None, "/kh/settings").endpoint(Host("db1", "db1", MARK))
    assert (route.address, route.port, route.identities, route.via, route.known_hosts) == ("db1", 22, (), None, "/kh/settings")


def test_a_broken_config_and_a_jump_loop_are_plain_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.write_text("Host x\n  Port notanumber\n")
    with pytest.raises(SshConfigError, match="cannot use the ssh config"):
        SshConfigResolver(str(broken), "/kh").endpoint(Host("x", "x", MARK))
    loop = tmp_path / "loop"
    loop.write_text("Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n")
    with pytest.raises(SshConfigError, match="ProxyJump loop"):
        SshConfigResolver(str(loop), "/kh").endpoint(Host("a", "a", MARK))


def test_the_setting_names_the_config_or_turns_it_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = tmp_path / "settings.yaml"
    settings.write_text("ssh: {config: false}\n")
    assert load_settings(settings).ssh_config is None
    settings.write_text("ssh: {config: ~/elsewhere/config}\n")
    with pytest.raises(SettingsError, match=r"1:15: ssh\.config: no file at '~/elsewhere/config': .* `ssh -F FILE`"):
        load_settings(settings)  # named and not there: a typo, as ssh -F says
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "config").write_text("")
    assert load_settings(settings).ssh_config == str(Path.home() / "elsewhere" / "config")
    settings.write_text("ssh: {}\n")
    assert load_settings(settings).ssh_config == str(Path.home() / ".ssh" / "config")
    settings.write_text("ssh: {config: 3}\n")
    with pytest.raises(SettingsError, match=r"ssh\.config: expected the path of an ssh client config, or false"):
        load_settings(settings)


EVERYWHERE = "ssh refuses the whole config for it, whichever host its block is for"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (b"Include {config}\nHost x\n  Port 2\n", "its Includes go round in a loop (a file that includes itself, or two that include each other)"),
        # at its line and column, as a runbook's (before: `it is not UTF-8 text (byte 0xff at position 20)`)
        (b"Host db1\n  HostName \xff\xfe\n", "{config}:2:12: expected UTF-8 text; the byte 0xFF is not"),
        (b"Host db1\n  Port 99999999999\n", f"{{config}}:2:8: Bad port '99999999999': {PORT_WORDS}; {EVERYWHERE}"),
        (b"Host db1\n  Port 0\n", f"{{config}}:2:8: Bad port '0': {PORT_WORDS}; {EVERYWHERE}"),
    ],
)
def test_a_config_ssh_itself_refuses_is_said_in_words_not_a_traceback(tmp_path: Path, text: bytes, words: str) -> None:
    """Before: an Include loop raised RecursionError and a byte that is not UTF-8 UnicodeDecodeError (`plan` and
    `preflight` printed a traceback; a run said `please report it`); a port out of range was taken and failed later."""
    path = tmp_path / "config"
    path.write_bytes(text.replace(b"{config}", str(path).encode()))
    with pytest.raises(SshConfigError) as raised:
        SshConfigResolver(str(path), "/kh").endpoint(Host("db1", "db1", MARK))
    assert str(raised.value) == f"cannot use the ssh config {path}: {words.replace('{config}', str(path))}"


def test_plan_says_a_config_it_cannot_use_without_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from runbook_tui.cli import main

    config = tmp_path / "config"
    config.write_text(f"Include {config}\n")
    (tmp_path / "settings.yaml").write_text(f"ssh: {{config: {config}}}\n")
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "settings.yaml"))
    runbook = tmp_path / "rb.yaml"
    runbook.write_text("runbook: 1\nid: t\ntitle: t\nhosts:\n  g: [{name: db1}]\nsections:\n  - id: s\n    steps:\n      - {id: a, run: 'true', on: g}\n")
    assert main(["plan", str(runbook)]) == 0
    out = capsys.readouterr().out
    assert f"  db1: CANNOT RESOLVE: cannot use the ssh config {config}: its Includes go round in a loop" in out, out


def test_a_match_exec_gets_the_hosts_tokens_as_ssh_gives_them(tmp_path: Path) -> None:
    """`Match exec "nc -z -w1 %h 22"` (a VPN check) is matched with %h, %n, %p, %r expanded, as ssh expands them. Before:
    the command ran with `%h` as written, so it failed, and the block ssh takes (here a User and a ProxyJump) was left out."""
    config = tmp_path / "config"
    config.write_text(
        "Host db1\n  HostName 10.1.1.1\n  Port 2222\n"
        'Match exec "case %h:%p:%n in 10.1.1.1:2222:db1) exit 0;; esac; exit 1"\n  User deploy\n  ProxyJump jump\n'
        'Match !exec "case %h in 10.1.1.1) exit 0;; esac; exit 1"\n  User wrong\n'
    )
    route = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert (route.user, route.via.name if route.via else None) == ("deploy", "jump"), route.describe()


def test_a_match_exec_command_holding_an_equals_sign_is_one_command(tmp_path: Path) -> None:
    """`Match exec "test %h = 10.1.1.1"`, as ssh reads it. Before: asyncssh cut the quoted command at its `=` and
    refused the whole file (`Invalid match condition  10.1.1.1`), so no host of the config could be reached."""
    config = tmp_path / "config"
    config.write_text('Host db1\n  HostName 10.1.1.1\nMatch exec "test %h != 10.1.1.2 && test x=y = x=y" originalhost db1\n  User deploy\n')
    route = SshConfigResolver(str(config), "/kh").endpoint(Host("db1", "db1", MARK))
    assert route.user == "deploy", route.describe()
