"""What a shared run and its verifier's `join` write, under umask 000: private from creation on both machines.

The verifier's first `join` on a laptop where runbook-tui never ran makes its state folder to keep its own copy
of the events received (`received/SESSION-NAME.jsonl`); under a umask of 000 every folder it made must still be
0700 (the state folder holds the share host key and the journals of any run started there later) and the copy 0600.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from share_peers import Lab, confirm_next, until

from runbook_tui.app.sharing import join_endpoint
from runbook_tui.share.client import ShareClient
from runbook_tui.trust.ledger import Ledger

pytestmark = pytest.mark.peers


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def no_umask() -> Iterator[None]:
    """A umask of 000: whatever the program does not make private on purpose is world-writable."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.mark.asyncio
async def test_the_verifiers_first_join_makes_its_state_folders_private(lab: Lab, no_umask: None, monkeypatch: pytest.MonkeyPatch) -> None:
    bob = lab.key("bob")
    shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")  # the assignee's process inherits umask 000
    await lab.trust(shared.fingerprint, shared.port)
    laptop = lab.root / "bob-laptop" / ".local" / "state"  # bob's XDG_STATE_HOME: nothing of it exists yet
    monkeypatch.setenv("XDG_STATE_HOME", str(laptop))
    endpoint = join_endpoint(f"127.0.0.1:{shared.port}", observe=False, identity=str(bob), known_hosts=str(lab.known_hosts))
    verifier = ShareClient(endpoint, reconnect_delays=(0.1,))
    await verifier.connect()
    task = asyncio.create_task(verifier.run())
    try:
        await confirm_next(verifier, "one", timeout=30)
        await confirm_next(verifier, "two", timeout=30)
        assert await shared.exit_code(30) == 0, shared.stderr()
        await until(lambda: any((laptop / "runbook-tui" / "received").glob("*.jsonl")), 10, "bob's copy of the events received")
    finally:
        await verifier.close()
        task.cancel()
    [copy] = (laptop / "runbook-tui" / "received").glob("*.jsonl")
    made = {str(p.relative_to(lab.root)): oct(mode(p)) for p in (laptop.parent.parent, laptop.parent, laptop, laptop / "runbook-tui", copy.parent)}
    assert made == dict.fromkeys(made, oct(0o700)), f"folders bob's join made: {made}"
    assert mode(copy) == 0o600, oct(mode(copy))
    host_key = lab.host_key_path
    assert (mode(host_key), mode(host_key.parent), mode(shared.journal)) == (0o600, 0o700, 0o600)


def test_a_link_planted_where_the_copy_goes_is_not_followed(tmp_path: Path) -> None:
    """A copy's path that is a symbolic link (planted in a folder others could write) is refused, its target untouched:
    the copy is kept no more, and the reason is what the screen says."""
    target = tmp_path / "authorized_keys"
    target.write_text("keep me\n", encoding="utf-8")
    received = tmp_path / "received"
    received.mkdir()
    (received / "s1-bob.jsonl").symlink_to(target)
    ledger = Ledger(received / "s1-bob.jsonl")  # what it read there does not chain: it would cut it off, as after a torn write
    ledger.close()
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert ledger.failed.endswith("s1-bob.jsonl: Too many levels of symbolic links"), ledger.failed
