"""`preflight` names the cause: reachability, host key, authentication and sudo are separate findings, each with what to do.

Against the suite's real sshd: a closed port, a host key that is not the
one trusted, a key the server does not authorize, and a user for whom
`sudo -n` cannot work (a non-root user made with useradd on a machine
without sudo, or without a NOPASSWD rule).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest
from local_users import key_login_user
from peers import PeerError, Sshd, _free_port, make_sshd, public_line

from runbook_tui import cli
from runbook_tui.app.preflight_hosts import HostFinding, host_findings
from runbook_tui.app.settings import Settings
from runbook_tui.runbook.loader import load_text

pytestmark = pytest.mark.peers

NO_SUDO_USER = "rbt-preflight"


def runbook_text(sshd: Sshd, *, port: int | None = None, identity: str | None = None, user: str | None = None, sudo: bool = False) -> str:
    return f"""\
runbook: 1
id: preflight-causes
title: Preflight causes
hosts:
  db:
    - {{name: db1, address: 127.0.0.1, port: {port or sshd.port}, user: {user or sshd.user}, identity: "{identity or sshd.client_key}"}}
sections:
  - id: main
    kind: precheck
    steps:
      - id: look
        on: db
        run: "true"
        sudo: {str(sudo).lower()}
"""


def findings(sshd: Sshd, known_hosts: Path | None = None, **host: object) -> list[HostFinding]:
    runbook = load_text(runbook_text(sshd, **host).encode(), "preflight.yaml").runbook  # type: ignore[arg-type]
    settings = Settings(known_hosts=str(known_hosts or sshd.known_hosts))
    return asyncio.run(host_findings(runbook, settings))


def only(found: list[HostFinding]) -> HostFinding:
    assert len(found) == 1, [str(f) for f in found]
    return found[0]


def test_a_good_host_has_no_finding(sshd: Sshd) -> None:
    assert findings(sshd, sudo=True) == []


def test_a_closed_port_is_a_reachability_finding(sshd: Sshd) -> None:
    port = _free_port()
    finding = only(findings(sshd, port=port))
    assert finding.cause == "reachability"
    text = str(finding)
    assert text.startswith(f"host db1 (127.0.0.1:{port}): reachability: cannot connect")
    assert "What to do: check db1's address and port (the runbook, or your ssh config), that sshd runs there" in text
    assert f"`nc -vz 127.0.0.1 {port}` on this machine" in text
    assert "sudo" not in text


def test_a_wrong_host_key_is_a_host_key_finding(sshd: Sshd, tmp_path: Path) -> None:
    other = public_line(asyncssh.generate_private_key("ssh-ed25519"))
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{sshd.port} {other}\n")
    finding = only(findings(sshd, known_hosts, sudo=True))
    assert finding.cause == "host key"
    assert "not verified" in finding.detail
    assert f"ssh-keyscan -p {sshd.port} 127.0.0.1" in finding.todo and str(known_hosts) in finding.todo


def test_a_known_hosts_file_with_a_line_that_cannot_be_read_says_to_fix_the_file(sshd: Sshd, tmp_path: Path) -> None:
    """Before: asyncssh's ValueError went by the connect's handling: `db1: Invalid known hosts entry ...`, cause `ssh`
    and `run ssh -v` (exec printed a traceback too); no host was even asked."""
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(sshd.known_hosts.read_text() + "@@@@ \x1b[31m\n")
    finding = only(findings(sshd, known_hosts))
    assert finding.cause == "host key", str(finding)
    assert finding.detail == f"known_hosts file {known_hosts} cannot be read: Invalid known hosts entry: @@@@ ␛[31m", finding.detail
    assert f"fix or remove the line named in {known_hosts}" in finding.todo, finding.todo


def test_an_unauthorized_key_is_an_authentication_finding(sshd: Sshd, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger"
    stranger.write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_private_key())
    stranger.chmod(0o600)
    finding = only(findings(sshd, identity=str(stranger), sudo=True))
    assert finding.cause == "authentication"
    assert f"authentication as {sshd.user}" in finding.detail
    assert f"put your public key in {sshd.user}'s ~/.ssh/authorized_keys" in finding.todo


def test_a_missing_or_unusable_key_file_says_to_fix_its_path(sshd: Sshd, tmp_path: Path) -> None:
    """The key file is wrong on this machine: no authorized_keys on the host can help, so the advice is the path."""
    public = tmp_path / "key.pub"
    public.write_text(public_line(sshd.host_key) + "\n")
    for identity, said in ((tmp_path / "missing", "cannot read identity"), (public, "cannot use identity")):
        finding = only(findings(sshd, identity=str(identity)))
        assert finding.cause == "authentication" and said in finding.detail and str(identity) in finding.detail
        assert "fix the key file's path in identity:" in finding.todo and "authorized_keys" not in finding.todo, finding.todo


def test_an_encrypted_key_without_an_agent_says_to_ssh_add_it(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `no passphrase source is set up`, and the advice was to put the key in the host's authorized_keys."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    encrypted = tmp_path / "encrypted"
    key = asyncssh.read_private_key(str(sshd.client_key))
    key.write_private_key(str(encrypted), format_name="pkcs8-pem", passphrase="open sesame")
    encrypted.chmod(0o600)
    finding = only(findings(sshd, identity=str(encrypted)))
    assert finding.cause == "authentication" and f"identity {encrypted} is encrypted and no SSH agent" in finding.detail, str(finding)
    assert "ssh-add the key" in finding.todo and "authorized_keys" not in finding.todo, finding.todo


def _user_without_sudo() -> str:
    """A user `sudo -n` cannot serve: made with useradd when we are root, else ourselves if we lack NOPASSWD."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.getuid()).pw_name
        if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0:
            pytest.skip(f"{me} has passwordless sudo and we are not root to make a user without it")
        return me
    return key_login_user(NO_SUDO_USER)


@pytest.fixture
def open_sshd() -> Iterator[Sshd]:
    """An sshd of its own whose authorized_keys another local user can read (the session sshd's dir is private)."""
    directory = Path(tempfile.mkdtemp(prefix="rbt-sshd-"))
    directory.chmod(0o755)
    try:
        # Sessions keep the login's own HOME (the suite's sshd sets the test run's temp home, which another user cannot write).
        server = make_sshd(directory, options={"SetEnv": "SHLVL=1"})
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)
    (directory / "authorized_keys").chmod(0o644)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_a_user_without_working_sudo_is_a_sudo_finding(open_sshd: Sshd) -> None:
    sshd = open_sshd
    user = _user_without_sudo()
    finding = only(findings(sshd, user=user, sudo=True))
    assert finding.cause == "sudo"
    if shutil.which("sudo"):
        assert f"`sudo -n true` failed as {user}" in finding.detail
        assert "NOPASSWD" in finding.todo
    else:
        assert f"sudo is not installed for {user}" in finding.detail
        assert "connect as root" in finding.todo
    # without sudo asked, the same user is fine: sudo is only checked where a step needs it
    assert findings(sshd, user=user) == []


def test_a_bastion_that_fails_on_the_way_is_what_to_fix(sshd: Sshd, tmp_path: Path) -> None:
    """A hop refusing the login, a dead ProxyJump bastion of the ssh config, a target its bastion cannot reach.

    Before: the advice was about the host the step names: its user's authorized_keys (not the bastion's login
    that failed), `nc -vz viaconfig 22` (the alias and port 22, neither what the config says) from this machine.
    """
    closed = _free_port()
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host viaconfig\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n"
        f"  ProxyJump deadjump\nHost deadjump\n  HostName 127.0.0.1\n  Port {closed}\n"
    )
    entry = f"address: 127.0.0.1, port: {sshd.port}, identity: '{sshd.client_key}'"
    text = f"""\
runbook: 1
id: preflight-hops
title: Preflight hops
hosts:
  jump:
    - {{name: goodjump, {entry}, user: {sshd.user}}}
    - {{name: badlogin, {entry}, user: nosuchuser, via: goodjump}}
  db:
    - {{name: db1, {entry}, user: {sshd.user}, via: badlogin}}
    - {{name: db2, address: 127.0.0.1, port: {closed}, user: {sshd.user}, identity: '{sshd.client_key}', via: goodjump}}
    - {{name: viaconfig}}
sections:
  - id: main
    kind: precheck
    steps:
      - {{id: look, on: db, run: "true"}}
"""
    runbook = load_text(text.encode(), "preflight.yaml").runbook
    assert runbook is not None
    found = {f.host.name: f for f in asyncio.run(host_findings(runbook, Settings(known_hosts=str(sshd.known_hosts), ssh_config=str(config))))}
    assert sorted(found) == ["db1", "db2", "viaconfig"], [str(f) for f in found.values()]

    login = found["db1"]
    assert login.cause == "authentication" and "authentication as nosuchuser on badlogin" in login.detail, str(login)
    assert "put your public key in nosuchuser's ~/.ssh/authorized_keys on badlogin" in login.todo, login.todo

    behind = found["db2"]
    assert behind.cause == "reachability" and "bastion goodjump could not reach db2" in behind.detail, str(behind)
    assert f"`nc -vz 127.0.0.1 {closed}` on goodjump, the bastion it is reached through" in behind.todo, behind.todo

    dead = found["viaconfig"]
    assert str(dead).startswith(f"host viaconfig (127.0.0.1:{sshd.port}): reachability: "), str(dead)
    assert "check deadjump's address and port" in dead.todo and f"`nc -vz 127.0.0.1 {closed}` on this machine" in dead.todo, dead.todo


def test_a_home_where_the_runs_folder_cannot_be_made_is_a_runs_folder_finding(tmp_path: Path) -> None:
    """Logged in, but ~/.cache/runbook-tui/runs cannot take a file (a full disk, a home the user cannot write).

    Before: cause `ssh`, `cannot create the run's files ...` and the advice `run ssh -v`: ssh works, that shows nothing.
    """
    user = _user_without_sudo()
    home = tmp_path / "home"
    home.mkdir(mode=0o555)  # not writable by the user (root, the one user who could, never gets here: see above)
    directory = Path(tempfile.mkdtemp(prefix="rbt-sshd-"))
    directory.chmod(0o755)
    try:
        server = make_sshd(directory, options={"SetEnv": f"SHLVL=1 HOME={home}"})
    except PeerError as exc:
        pytest.fail(str(exc), pytrace=False)
    (directory / "authorized_keys").chmod(0o644)
    try:
        finding = only(findings(server, user=user))
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
    assert finding.cause == "runs folder", str(finding)
    assert f"cannot create the run's files {home}/.cache/runbook-tui/runs/" in finding.detail, finding.detail
    assert f"(is the disk full, or the folder not writable by {user}?)" in finding.detail, finding.detail
    assert f"give {user} a home it can write ~/.cache/runbook-tui/runs in" in finding.todo and "ssh -v" not in finding.todo, finding.todo


def test_a_login_that_runs_nologin_in_place_of_commands_is_a_login_finding(tmp_path: Path) -> None:
    """The key is accepted, but sshd's ForceCommand runs nologin (an account that may not run commands). Before: cause
    `ssh`, `the follow session on db1 ended early (exit status 1); see ~/.cache/...` (files never made), nologin's own
    words dropped, and the advice `run ssh -v`, which shows a successful login."""
    server = make_sshd(tmp_path, options={"SetEnv": "SHLVL=1", "ForceCommand": "/usr/sbin/nologin"})
    try:
        finding = only(findings(server))
    finally:
        server.stop()
    assert finding.cause == "login", str(finding)
    assert finding.detail.startswith("could not start the command on db1: the host ran something else in its place (exit status 1)")
    assert finding.detail.endswith("; it said: This account is currently not available."), finding.detail
    assert "remove the ForceCommand" in finding.todo and "ssh -v" not in finding.todo, finding.todo
    assert "not available. What to do: let " in str(finding), str(finding)


def test_an_ssh_config_that_cannot_be_used_is_an_ssh_config_finding(sshd: Sshd, tmp_path: Path) -> None:
    """Before: cause `ssh` and `run ssh -v to db1`, though no host was asked: the fix is a line of the config."""
    config = tmp_path / "ssh_config"
    config.write_text("Host 127.0.0.1\n  Port notanumber\n")  # the config is matched on the address the runbook gives
    runbook = load_text(runbook_text(sshd).encode(), "preflight.yaml").runbook
    assert runbook is not None
    finding = only(asyncio.run(host_findings(runbook, Settings(known_hosts=str(sshd.known_hosts), ssh_config=str(config)))))
    assert finding.cause == "ssh config" and f"cannot use the ssh config {config}" in finding.detail, str(finding)
    assert "`ssh -G db1`" in finding.todo and "ssh.config: false" in finding.todo, finding.todo


def test_cli_preflight_prints_the_cause_and_exits_1(sshd: Sshd, tmp_path: Path, capsys, monkeypatch) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"ssh: {{known_hosts: {sshd.known_hosts}}}\n")
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(settings))
    path = tmp_path / "rb.yaml"
    path.write_text(runbook_text(sshd, port=_free_port()))
    assert cli.main(["preflight", str(path)]) == 1
    out = capsys.readouterr().out
    assert ": reachability: cannot connect to db1" in out and "What to do:" in out
    assert "`sudo -n true` failed" not in out


def test_an_identity_file_of_the_config_that_is_not_there_says_to_fix_it(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runbook names no identity; the config's IdentityFile is not there, so nothing of the user's was offered.
    Before: `put your public key in authorized_keys …`, for a key that was never read."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    config = tmp_path / "ssh_config"
    config.write_text(f"Host 127.0.0.1\n  IdentityFile {tmp_path / 'gone_key'}\n")
    text = runbook_text(sshd).replace(f', identity: "{sshd.client_key}"', "")
    runbook = load_text(text.encode(), "preflight.yaml").runbook
    assert runbook is not None
    finding = only(asyncio.run(host_findings(runbook, Settings(known_hosts=str(sshd.known_hosts), ssh_config=str(config)))))
    assert finding.cause == "authentication" and "of the ssh config is not there" in finding.detail, str(finding)
    assert finding.todo.startswith("fix IdentityFile for db1 in your ssh config: the key file it names is not there"), finding.todo
