"""A host name from a parameter never reaches a shell through the ssh config (`Match exec "nc -z %h 22"`).

`Match exec` commands run in a shell with `%h` (the host's alias) in them, as ssh runs them; ssh itself refuses a
host name holding a character a shell reads (`hostname contains invalid characters`). Before, a `from_param` group
holding `x;>FILE` (a parameter is anyone's text) ran `>FILE` on this machine as the config was read: at `plan`,
`preflight` and the step's connection alike.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from peers import Sshd
from ssh_helpers import cmd, executor, run_one

from runbook_tui.execute.ssh_config import SshConfigError, SshConfigResolver
from runbook_tui.runbook.model import Host, Mark

MARK = Mark("rb.yaml", 1, 1)
#: What each name would run when a shell reads `true NAME` (`FILE` replaced by a path).
NAMES = ["x;>FILE", "x|>FILE", "x&>FILE", "x$(>FILE)", "x`>FILE`", "x'$(>FILE)'", 'x"$(>FILE)"', "x\\;>FILE", "x(>FILE)", "x{>FILE}"]


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "ssh_config"
    config.write_text('Match exec "true %h"\n  User bob\n')
    return config


@pytest.mark.parametrize("name", NAMES)
def test_a_host_name_a_shell_reads_is_refused_before_any_match_exec_runs(tmp_path: Path, name: str) -> None:
    planted = tmp_path / "ran"
    name = name.replace("FILE", str(planted))
    resolver = SshConfigResolver(str(_config(tmp_path)), str(tmp_path / "known_hosts"))
    with pytest.raises(SshConfigError) as refused:
        resolver.endpoint(Host(name, name, MARK))
    assert not planted.exists(), f"the ssh config's Match exec ran what the host name {name!r} holds"
    assert "characters a shell reads" in str(refused.value) and "ssh refuses it too" in str(refused.value), str(refused.value)


def test_an_address_a_shell_reads_is_refused_as_the_name_is(tmp_path: Path) -> None:
    """The config is matched on the address when the runbook gives one: that is what `%h` holds then."""
    planted = tmp_path / "ran"
    resolver = SshConfigResolver(str(_config(tmp_path)), str(tmp_path / "known_hosts"))
    with pytest.raises(SshConfigError):
        resolver.endpoint(Host("db1", f"10.0.0.1;>{planted}", MARK, given=frozenset({"address"})))
    assert not planted.exists()


def test_plain_names_still_match_the_config(tmp_path: Path) -> None:
    resolver = SshConfigResolver(str(_config(tmp_path)), str(tmp_path / "known_hosts"))
    for name in ("db1", "db-1.example.com", "10.0.0.5", "fe80::1", "db_1", "db1%eth0", "x~y", "x*y", "x+y@z"):
        assert resolver.endpoint(Host(name, name, MARK)).user == "bob", name


@pytest.mark.peers
def test_a_step_on_such_a_host_starts_nothing_and_says_why(sshd: Sshd, tmp_path: Path) -> None:
    planted = tmp_path / "ran"
    name = f"x;>{planted}"

    async def main() -> tuple[str, str | None, bool]:
        ex = executor(sshd, tmp_path, ssh_config=str(_config(tmp_path)))
        try:
            result, _, _ = await run_one(ex, cmd(Host(name, name, MARK), "true"))
        finally:
            await ex.close()
        return result.status, result.error, result.started

    status, error, started = asyncio.run(main())
    assert (status, started) == ("error", False), (status, error)
    assert not planted.exists()
    assert "characters a shell reads" in (error or ""), error
