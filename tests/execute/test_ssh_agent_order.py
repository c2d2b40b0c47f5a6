"""The host's own identity is offered before the SSH agent's keys, as ssh offers them.

sshd ends the login after `MaxAuthTries` (6 by default) refused keys. asyncssh offers every key of the agent first, then
the identity a runbook (or the ssh config's IdentityFile) names: with six or more other keys in the agent (one per
service, a password manager's agent) the login failed with `Too many authentication failures` before that identity
was tried, where `ssh -i KEY` (and `ssh HOST` with IdentityFile) logs in, trying the named identity first.
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import asyncssh
import pytest
from peers import Sshd
from ssh_helpers import arun, cmd, executor, run_alone, run_one

from runbook_tui.engine.ports import Result

pytestmark = pytest.mark.peers


def _fill(agent: Path, tmp_path: Path, n: int) -> None:
    """`n` keys the sshd does not know, in the agent."""
    for i in range(n):
        path = tmp_path / f"other{i}"
        asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(path))
        path.chmod(0o600)
        subprocess.run(["ssh-add", "-q", str(path)], check=True, capture_output=True, timeout=10)


def test_a_runbook_identity_logs_in_past_an_agent_full_of_other_keys(sshd: Sshd, tmp_path: Path, agent: Path) -> None:
    _fill(agent, tmp_path, 8)
    result, sink, _ = run_alone(sshd, tmp_path, cmd(sshd.host("db1"), "echo in"))
    assert result == Result("ok", exit_code=0), result
    assert sink.data("stdout") == b"in\n"


def test_the_agents_keys_still_stand_in_when_the_identity_is_not_the_one(sshd: Sshd, tmp_path: Path, agent: Path) -> None:
    """An identity the host refuses, the right key in the agent: ssh logs in with the agent's after it; so do we."""
    wrong = tmp_path / "wrong"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(wrong))
    wrong.chmod(0o600)
    subprocess.run(["ssh-add", "-q", str(sshd.client_key)], check=True, capture_output=True, timeout=10)
    result, sink, _ = run_alone(sshd, tmp_path, cmd(sshd.host("db1", identity=str(wrong)), "echo in"))
    assert result == Result("ok", exit_code=0), result
    assert sink.data("stdout") == b"in\n"


def test_forward_agent_still_forwards_the_agent_beside_an_identity(sshd: Sshd, tmp_path: Path, agent: Path) -> None:
    """The agent is no longer handed to asyncssh where identities are given: forwarding names its socket itself."""
    _fill(agent, tmp_path, 1)
    host = sshd.host("db1", forward_agent=True)
    result, sink, _ = run_alone(sshd, tmp_path, cmd(host, 'echo "agent=${SSH_AUTH_SOCK:-none}"; ssh-add -l | wc -l'))
    assert result == Result("ok", exit_code=0), result
    said = sink.data("stdout").decode()
    assert "agent=none" not in said and said.splitlines()[-1].strip() == "1", said


def test_an_agent_socket_left_from_another_login_leaves_the_identitys_refusal_in_plain_words(
    sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SSH_AUTH_SOCK naming a socket that is gone, an identity the host refuses: the refusal, not the socket's error."""
    wrong = tmp_path / "wrong"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(wrong))
    wrong.chmod(0o600)
    monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "gone.sock"))
    result, _, _ = run_alone(sshd, tmp_path, cmd(sshd.host("db1", identity=str(wrong)), "true"))
    assert result.status == "error" and not result.started, result
    assert "authentication" in (result.error or "") and "gone.sock" not in (result.error or ""), result.error


def test_an_agent_that_never_answers_after_a_refused_identity_is_named_when_the_login_stalls(
    sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The identity refused, then the agent asked for its keys never answers: the stall's words name the agent."""
    wrong = tmp_path / "wrong"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(wrong))
    wrong.chmod(0o600)
    sock = tmp_path / "mute.sock"
    monkeypatch.setenv("SSH_AUTH_SOCK", str(sock))

    async def main() -> Result:
        held: list[asyncio.StreamWriter] = []
        mute = await asyncio.start_unix_server(lambda _r, w: held.append(w), str(sock))  # takes the request, never answers
        ex = executor(sshd, tmp_path, connect_timeout=2)
        try:
            result, _, _ = await run_one(ex, cmd(sshd.host("db1", identity=str(wrong)), "true"))
            return result
        finally:
            await ex.close()
            mute.close()

    result = arun(main)
    assert result.status == "error" and not result.started, result
    assert "the SSH agent (SSH_AUTH_SOCK) did not answer" in (result.error or ""), result.error


def test_an_agent_offering_more_keys_than_sshd_takes_is_said_as_an_authentication_failure(sshd: Sshd, tmp_path: Path, agent: Path) -> None:
    """No identity named, eight keys in the agent, none of them the host's: sshd's MaxAuthTries (6) ends the login with
    `Too many authentication failures`. Before: `cannot connect to db1 (…): Too many authentication failures`, read as a
    reachability problem (and retried as one); now an authentication failure that says why and what to do."""
    _fill(agent, tmp_path, 8)
    result, _, _ = run_alone(sshd, tmp_path, cmd(sshd.host("db1", identity=None), "true"))
    assert result.status == "error" and not result.started, result
    error = result.error or ""
    assert error.startswith(f"authentication as {sshd.user} on db1 (127.0.0.1:{sshd.port}) failed (Too many authentication failures"), error
    assert "MaxAuthTries" in error and "the SSH agent's 8 keys" in error and "IdentitiesOnly yes" in error, error
