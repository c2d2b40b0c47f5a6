"""known_hosts is parsed once per version of the file, not once per host: a 1,000-line file costs ~20 ms to parse."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from pathlib import Path

import pytest
from peers import Sshd, public_line

from runbook_tui.engine.ports import Command, Result
from runbook_tui.execute import revoked_host_keys
from runbook_tui.execute.ssh import SshExecutor
from runbook_tui.trust.known_by_name import KnownByName

pytestmark = pytest.mark.peers


async def run_on(ex: SshExecutor, sshd: Sshd, names: list[str]) -> list[Result]:
    commands = [Command(host=sshd.host(name), command="true", key=f"t/{uuid.uuid4().hex[:8]}/1") for name in names]
    return list(await asyncio.gather(*(ex.run(c, lambda _s, _d: None) for c in commands)))


def test_many_hosts_parse_known_hosts_once_and_a_changed_file_is_read_again(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    known = tmp_path / "known_hosts"
    known.write_text("")  # nothing trusted yet
    parsed: list[str] = []
    real = revoked_host_keys.read_by_name

    def counting(files: Sequence[str]) -> KnownByName:
        parsed.extend(files)
        return real(files)

    monkeypatch.setattr(revoked_host_keys, "read_by_name", counting)

    async def main() -> tuple[list[Result], list[Result]]:
        ex = SshExecutor(known_hosts=str(known), remote_dir=str(tmp_path / "runs"))
        try:
            refused = await run_on(ex, sshd, ["a1"])
            # The user adds the host's key while the program runs: the next connection sees it.
            known.write_text(f"# added\n[127.0.0.1]:{sshd.port} {public_line(sshd.host_key)}\n")
            return refused, await run_on(ex, sshd, [f"h{i:02d}" for i in range(12)])
        finally:
            await ex.close()

    refused, results = asyncio.run(main())
    assert refused[0].status == "error" and "not verified" in (refused[0].error or ""), refused
    assert results == [Result("ok", exit_code=0)] * 12, results
    assert parsed.count(str(known)) == 2, f"parsed once per version of the file, not once per host: {len(parsed)} parses"
