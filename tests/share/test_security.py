"""The share server's doors: public keys of participants only; passwords and keyboard-interactive never."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncssh
import pytest
from share_peers import HOST, Lab

pytestmark = pytest.mark.peers


def test_password_and_keyboard_interactive_logins_are_refused(lab: Lab) -> None:
    async def main() -> None:
        bob = lab.key("bob")
        shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
        await lab.trust(shared.fingerprint, shared.port)
        for username in ("bob", "root", "runbook"):
            with pytest.raises(asyncssh.PermissionDenied):
                await asyncssh.connect(
                    HOST, shared.port, username=username, password="hunter2-hunter2", client_keys=None,
                    known_hosts=str(lab.known_hosts), preferred_auth="password,keyboard-interactive",
                )  # fmt: skip
        shared.stop()

    asyncio.run(main())


def test_a_key_that_is_not_a_participant_is_refused_even_with_a_known_name(lab: Lab, tmp_path: Path) -> None:
    async def main() -> None:
        bob = lab.key("bob")
        impostor = lab.key("impostor", comment="bob")  # same name in the comment, another key
        shared = await lab.share(lab.runbook(), "--verifier-key", f"{bob}.pub")
        await lab.trust(shared.fingerprint, shared.port)
        with pytest.raises(asyncssh.PermissionDenied):
            await asyncssh.connect(HOST, shared.port, username="bob", client_keys=[str(impostor)], known_hosts=str(lab.known_hosts))
        shared.stop()

    asyncio.run(main())
