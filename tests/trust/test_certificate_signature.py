"""A signature made with an OpenSSH certificate (`ssh-keygen -Y sign -f KEY-cert.pub`), which `ssh-keygen -Y verify`
accepts under a `cert-authority` line: runbook-tui checks signatures by keys allowed_signers lists, not certificates,
and says so (before: `the SSH signature is damaged: Unknown key algorithm: ssh-ed25519-cert-v01@openssh.com`, of a
signature OpenSSH calls good)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from runbook_tui.trust.sshsig import SignatureError, verify


def test_a_certificates_signature_is_named_as_one_not_as_damaged(tmp_path: Path) -> None:
    for name in ("ca", "bob"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(tmp_path / name)], check=True)
    subprocess.run(["ssh-keygen", "-q", "-s", str(tmp_path / "ca"), "-I", "bob", "-n", "bob", "-V", "-1d:+1d", str(tmp_path / "bob.pub")], check=True)
    (tmp_path / "signers").write_text(f"bob cert-authority {(tmp_path / 'ca.pub').read_text()}")
    (tmp_path / "m").write_bytes(b'{"kind":"approval"}')
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-f", str(tmp_path / "bob-cert.pub"), "-n", "runbook-tui", str(tmp_path / "m")], check=True)
    signature = (tmp_path / "m.sig").read_text()
    judged = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", "signers", "-I", "bob", "-n", "runbook-tui", "-s", "m.sig"],
        cwd=tmp_path,
        input=b'{"kind":"approval"}',
        capture_output=True,
    )
    assert judged.returncode == 0 and b"ED25519-CERT" in judged.stdout, judged.stderr
    with pytest.raises(SignatureError) as refused:
        verify(b'{"kind":"approval"}', signature)
    said = str(refused.value)
    assert said.startswith("it is signed with an SSH certificate (ssh-ed25519-cert-v01@openssh.com)") and "damaged" not in said, said
    assert "sign with the plain key" in said, said
