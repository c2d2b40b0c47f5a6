"""`exec --share --verifier-key eve.pub --allowed-signers S` where S does not give that key to the verifier it names:
refused before it listens or journals anything (before: the run started and waited for eve, whose every confirmation,
signature and seal `journal verify --allowed-signers` would then fail: a key S gives to nobody)."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import asyncssh
import pytest


@pytest.mark.peers  # the guard sees `--share`; the session is refused before it listens
def test_a_verifier_key_the_allowed_signers_do_not_give_to_the_verifier_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from runbook_tui import cli

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    for name in ("alice", "bob", "eve"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(tmp_path / name)], check=True)
    public = {name: " ".join((tmp_path / f"{name}.pub").read_text().split()[:2]) for name in ("alice", "bob")}
    signers = tmp_path / "allowed_signers"
    signers.write_text(f"alice {public['alice']}\nbob {public['bob']}\n")
    runbook = tmp_path / "r.yaml"
    runbook.write_text(f"runbook: 1\nid: r\ntitle: R\nsections:\n  - {{id: a, title: A, steps: [{{id: s, title: S, run: 'touch {tmp_path}/ran'}}]}}\n")
    journal = tmp_path / "j.jsonl"
    argv = ["exec", str(runbook), "--share", "127.0.0.1:1", "--verifier-key", str(tmp_path / "eve.pub"), "--identity", str(tmp_path / "alice"),
            "--allowed-signers", str(signers), "--journal", str(journal)]  # fmt: skip
    codes: list[int] = []
    command = threading.Thread(target=lambda: codes.append(cli.main(argv)), daemon=True)
    command.start()
    command.join(30)
    assert codes == [2], "still running after 30 s" if command.is_alive() else codes
    fingerprint = asyncssh.read_public_key(str(tmp_path / "eve.pub")).get_fingerprint()
    said = f"runbook-tui: --share: the verifier eve's key ({fingerprint}) is not one {signers} gives to eve: a key {signers} gives to nobody, not to eve"
    err = capsys.readouterr().err
    assert err.startswith(said) and "journal verify" in err, err
    assert not journal.exists() and not (tmp_path / "ran").exists()
