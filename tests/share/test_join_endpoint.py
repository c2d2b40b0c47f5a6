"""`join` is wired from the same settings as a run: ssh.known_hosts from settings.yaml, unless --known-hosts says otherwise."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import asyncssh
import pytest

from runbook_tui.app.sharing import join_endpoint
from runbook_tui.share import client
from runbook_tui.ui.join import join


@pytest.fixture
def settings_with_known_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    known = tmp_path / "team_known_hosts"
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"ssh: {{known_hosts: {known}}}\n", encoding="utf-8")
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(settings))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return known


def test_join_checks_the_session_key_against_the_settings_known_hosts(settings_with_known_hosts: Path, tmp_path: Path) -> None:
    endpoint = join_endpoint("127.0.0.1:2222", observe=True, identity=None, known_hosts=None)
    assert (endpoint.host, endpoint.port, endpoint.observe) == ("127.0.0.1", 2222, True)
    assert endpoint.known_hosts == str(settings_with_known_hosts), "the file every run's SSH uses, not a hard-coded ~/.ssh/known_hosts"
    assert endpoint.copy_dir == str(tmp_path / "state" / "runbook-tui" / "received")


def test_join_known_hosts_flag_wins_and_a_bad_address_is_refused(settings_with_known_hosts: Path, tmp_path: Path) -> None:
    given = tmp_path / "mine"
    assert join_endpoint("host:22", observe=False, identity="k", known_hosts=str(given)).known_hosts == str(given)
    with pytest.raises(ValueError):
        join_endpoint("no-port-here", observe=False, identity=None, known_hosts=None)


def test_join_to_a_port_that_takes_the_connection_and_never_answers_ends_in_words(
    settings_with_known_hosts: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On first contact and with the session's key trusted. Before: `join` waited for ever, saying nothing (an assignee's
    process stopped with ctrl+z, or a wrong port)."""
    monkeypatch.setattr(client, "CONNECT_SECONDS", 0.5)
    monkeypatch.setattr("runbook_tui.ui.join.not_a_terminal", lambda *_: False)  # as in a terminal: it gets as far as connecting
    codes: list[int] = []
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel takes the connections; nothing ever answers them
        port = silent.getsockname()[1]

        def both() -> None:
            codes.append(join(f"127.0.0.1:{port}", observe=True, identity=None, known_hosts=None, accept="SHA256:x"))
            key = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
            settings_with_known_hosts.write_text(f"[127.0.0.1]:{port} {key}", encoding="utf-8")
            codes.append(join(f"127.0.0.1:{port}", observe=True, identity=None, known_hosts=None, accept=None))

        joining = threading.Thread(target=both, daemon=True)
        joining.start()
        joining.join(10)
    assert codes == [2, 2], f"join still waiting after 10 s: {codes}"
    said = capsys.readouterr().err
    why = "no answer within 0.5 s (the assignee's process may be stopped or hung, or what listens there is not a runbook-tui session)"
    check = "Check the address with the assignee (their screen shows `shared at HOST:PORT`) and that their run is still open"
    # what to do, as for a refused key; with the key trusted too: the first look at what answers finds the silence
    assert said.count(f"runbook-tui: cannot reach the session at 127.0.0.1:{port}: {why}. {check}\n") == 2, said


def test_a_bad_join_address_is_named_as_join_s_and_shown_as_characters(capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `join $'\\e[31mX'` said `--share ESC[31mX: …` (an option the user never typed) and sent the escape raw."""
    from runbook_tui import cli

    assert cli.main(["join", "\x1b[31mX"]) == 2
    assert capsys.readouterr().err == "runbook-tui: join ␛[31mX: expected HOST:PORT, :PORT or PORT\n"
    assert cli.main(["join", "127.0.0.1:0"]) == 2
    assert capsys.readouterr().err == "runbook-tui: join 127.0.0.1:0: expected a port from 1 to 65535\n"


def test_join_says_a_missing_identity_file_first(settings_with_known_hosts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without a terminal and with nothing listening: the key file that is not there is what is said, exit 2. Before: the
    address's (or the terminal's) problem was said, and the missing key only once both were fixed."""
    from runbook_tui import cli

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: nothing answers there
        for name, why in (("missing", "no such file"), ("", "not a file")):
            assert cli.main(["join", f"127.0.0.1:{port}", "--identity", str(tmp_path / name)]) == 2
            said = capsys.readouterr().err
            assert said == f"runbook-tui: join --identity {tmp_path / name}: {why}; nothing was joined (give your private key's file)\n", said


def test_join_says_a_key_with_a_passphrase_or_a_pub_file_is_not_one_it_can_use(
    settings_with_known_hosts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real ssh-keygen key with a passphrase, and its .pub given by mistake: exit 2 in words, saying what to do, before any
    connection (before: asyncssh's KeyImportError `Passphrase must be specified…` / `Invalid private key` as a traceback)."""
    import subprocess

    from runbook_tui import cli

    key = tmp_path / "carol"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "not-said-anywhere", "-C", "carol", "-f", str(key)], check=True)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        assert cli.main(["join", f"127.0.0.1:{port}", "--identity", str(key)]) == 2
        said = capsys.readouterr().err
        assert said == (
            f"runbook-tui: join --identity {key}: this key is protected by a passphrase, which runbook-tui never asks for: add it to"
            f" your ssh-agent (ssh-add {key}), then leave out --identity: the agent's key signs; nothing was joined\n"
        ), said
        assert cli.main(["join", f"127.0.0.1:{port}", "--identity", f"{key}.pub"]) == 2
        said = capsys.readouterr().err
        assert said.startswith(f"runbook-tui: join --identity {key}.pub: cannot use this key to sign: ") and "not its .pub" in said, said


def test_an_ipv6_address_is_taken_and_shown_in_brackets(capsys: pytest.CaptureFixture[str]) -> None:
    """`join ::1` read as host ':' port 1 (`the host name : is not known`), `join fe80::1:2222` as host `fe80:` port 1
    and so on; a share on [::1] said `shared at ::1:2222`, which join then misread, and join's own words dropped the
    brackets (`cannot reach the session at ::1:1`). Now an IPv6 address without brackets is refused in words, and
    every address is shown as it is typed."""
    import socket

    from runbook_tui import cli
    from runbook_tui.share.server import parse_address

    said = "an IPv6 address goes in brackets, before the port: [::1]:2222; expected HOST:PORT, :PORT or PORT"
    for typed in ("::1", "fe80::1:2222", "host:22:33"):
        assert cli.main(["join", typed]) == 2
        assert capsys.readouterr().err == f"runbook-tui: join {typed}: {said}\n"
    assert parse_address("[::1]:2222") == ("::1", 2222) and parse_address("[::1]:2222", given="join") == ("::1", 2222)
    with socket.socket(socket.AF_INET6) as free:
        free.bind(("::1", 0))
        port = free.getsockname()[1]  # nothing listens there once closed
    key = asyncssh.generate_private_key("ssh-ed25519")
    assert cli.main(["join", f"[::1]:{port}", "--accept-fingerprint", key.get_fingerprint()]) == 2
    assert f"cannot reach the session at [::1]:{port}: nothing listens there (connection refused)" in capsys.readouterr().err
