"""SSHSIG interop with OpenSSH: `ssh-keygen -Y verify` accepts our signatures, ours accepts `ssh-keygen -Y sign`'s."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from runbook_tui.trust.allowed_signers import read_allowed_signers
from runbook_tui.trust.sshsig import NAMESPACE, SignatureError, WrongSigner, file_signer, verify


def _key(folder: Path, name: str, kind: str = "ed25519") -> Path:
    path = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", name, "-f", str(path)], check=True)
    return path


def _allowed(folder: Path, *entries: tuple[str, Path]) -> Path:
    path = folder / "allowed_signers"
    lines = [f"{who} {' '.join(Path(f'{key}.pub').read_text().split()[:2])}" for who, key in entries]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa", "rsa"])
def test_ssh_keygen_verifies_our_signature(tmp_path: Path, kind: str) -> None:
    key = _key(tmp_path, "bob", kind)
    message = tmp_path / "statement"
    message.write_bytes(b'{"action":"confirm","step":"one"}')
    (tmp_path / "statement.sig").write_text(asyncio.run(file_signer(str(key)).sign(message.read_bytes())))
    allowed = _allowed(tmp_path, ("bob", key))
    command = ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", "bob", "-n", NAMESPACE, "-s", str(tmp_path / "statement.sig")]
    good = subprocess.run(command, input=message.read_bytes(), capture_output=True)
    assert good.returncode == 0 and b"Good" in good.stdout, good.stderr
    bad = subprocess.run(command, input=b'{"action":"confirm","step":"two"}', capture_output=True)
    assert bad.returncode != 0  # another statement does not verify
    other_namespace = subprocess.run([*command[:6], "file", *command[7:]], input=message.read_bytes(), capture_output=True)
    assert other_namespace.returncode != 0


def test_we_verify_ssh_keygen_signatures_and_refuse_edits(tmp_path: Path) -> None:
    key = _key(tmp_path, "carol")
    message = tmp_path / "plan"
    message.write_bytes(b"the plan")
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-f", str(key), "-n", NAMESPACE, str(message)], check=True, capture_output=True)
    signature = (tmp_path / "plan.sig").read_text()
    verified = verify(b"the plan", signature)
    signers = read_allowed_signers(str(_allowed(tmp_path, ("carol", key))))
    assert signers.allows("carol", verified.key) and not signers.allows("bob", verified.key)
    assert signers.principals(verified.key) == ["carol"]
    with pytest.raises(SignatureError, match="does not match what was signed"):
        verify(b"the plan, edited", signature)
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-f", str(key), "-n", "file", str(message)], check=True, capture_output=True, input=b"y\n")
    with pytest.raises(SignatureError, match="namespace 'file'"):
        verify(b"the plan", (tmp_path / "plan.sig").read_text())


def test_a_signature_by_another_key_than_expected_is_refused_before_its_arithmetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A participant's signature carries its own key; one made slow to check (an RSA exponent as large as the modulus)
    must not cost the assignee's event loop anything when it is not the participant's key."""
    import asyncssh

    mallory, bob = _key(tmp_path, "mallory", "rsa"), _key(tmp_path, "bob")
    signature = asyncio.run(file_signer(str(mallory)).sign(b"confirm one"))
    expected = file_signer(str(bob)).fingerprint

    def no_arithmetic(*_args: object) -> bool:
        raise AssertionError("the signature was checked before its key was")

    monkeypatch.setattr(asyncssh.SSHKey, "verify", no_arithmetic)
    with pytest.raises(WrongSigner, match=re.escape(f"not by {expected}")) as refused:
        verify(b"confirm one", signature, signer=expected)
    assert refused.value.fingerprint == file_signer(str(mallory)).fingerprint


@pytest.mark.parametrize(
    ("line", "col", "said"),
    [
        ("bob ssh-ed25519 not-base64!", 5, "expected PRINCIPALS [OPTIONS] KEYTYPE BASE64 (OpenSSH allowed_signers): Invalid public key"),
        ("  bob   ssh-ed25519 not-base64!", 9, "expected PRINCIPALS [OPTIONS] KEYTYPE BASE64 (OpenSSH allowed_signers): Invalid public key"),
        # OpenSSH skips a line's leading blanks; a column counts them (before: 1:5 and 1:5, the blanks left out)
        ('    bob namesp="x" KEY', 9, "OpenSSH ignores this line: 'namesp=\"x\"' is not cert-authority"),
        ('\tbob valid-before="2026" KEY', 6, "OpenSSH ignores this line: 'valid-before=\"2026\"' is not cert-authority"),
        ("   @revoked KEY", 4, "'@revoked' is a known_hosts marker"),
        ("  KEY", 3, "expected PRINCIPALS [OPTIONS] KEYTYPE BASE64 (OpenSSH allowed_signers): this line is a public key alone"),
    ],
)
def test_an_allowed_signers_line_that_is_not_one_names_its_line_and_column(tmp_path: Path, line: str, col: int, said: str) -> None:
    """At the key that does not read (before: at the line's start), or the option, counting the blanks before it."""
    key = " ".join(Path(f"{_key(tmp_path, 'bob')}.pub").read_text().split()[:2])
    path = tmp_path / "allowed_signers"
    path.write_text("# people\n" + line.replace("KEY", key) + "\n")
    with pytest.raises(SignatureError) as refused:
        read_allowed_signers(str(path))
    assert str(refused.value).startswith(f"{path}:2:{col}: {said}"), refused.value


def test_an_allowed_signers_file_that_is_not_utf8_is_refused_at_the_byte(tmp_path: Path) -> None:
    """As a runbook's (before: `cannot read the allowed signers: expected UTF-8 text`, no place)."""
    path = tmp_path / "allowed_signers"
    path.write_bytes(b"# people\nbob\xff ssh-ed25519 AAAA\n")
    with pytest.raises(SignatureError) as refused:
        read_allowed_signers(str(path))
    assert str(refused.value) == f"{path}:2:4: expected UTF-8 text; the byte 0xFF is not (cannot read the allowed signers)"


def test_a_public_key_file_given_as_allowed_signers_is_said_to_be_one(tmp_path: Path) -> None:
    """`--allowed-signers bob.pub` (the key, not the list): it said only `Invalid public key`, of a valid key."""
    bob = _key(tmp_path, "bob")
    with pytest.raises(SignatureError) as refused:
        read_allowed_signers(f"{bob}.pub")
    assert str(refused.value) == (
        f"{bob}.pub:1:1: expected PRINCIPALS [OPTIONS] KEYTYPE BASE64 (OpenSSH allowed_signers): this line is a public key alone "
        "(a .pub file?), without the names it signs for; put the name first: 'bob ssh-ed25519 AAAA…'"
    )


def test_allowed_signers_are_never_read_more_leniently_than_ssh_keygen_reads_them(tmp_path: Path) -> None:
    """Each line, as `ssh-keygen -Y verify` and we read it: we never let a key sign for bob where OpenSSH refuses.

    asyncssh took any option (a misspelt `valid-befor=`, `namespace=`, an unquoted time) and a `cert-authority` key's
    own plain signature; OpenSSH ignores the first kind of line and trusts only certificates for the second."""
    bob = _key(tmp_path, "bob")
    public = " ".join(Path(f"{bob}.pub").read_text().split()[:2])
    message = tmp_path / "statement"
    message.write_bytes(b"confirm one")
    (tmp_path / "statement.sig").write_text(asyncio.run(file_signer(str(bob)).sign(message.read_bytes())))
    key = verify(message.read_bytes(), (tmp_path / "statement.sig").read_text()).key
    path = tmp_path / "allowed_signers"
    verdicts = {}
    for options in (
        "", "cert-authority", 'cert-authority,namespaces="runbook-tui"', 'namespaces="other"', 'namespace="other"', "foo",
        "no-touch-required", 'namespaces="runbook-tui,other"', "namespaces=runbook-tui", 'valid-befor="20200101"',
        "valid-before=20991231", 'valid-before="1w"', 'valid-before="now"', 'valid-before="2099123100"', 'valid-before="20991231Z"',
        'valid-after="20200101",valid-before="20991231"', 'valid-before="20200101"', 'valid-after="20990101"',
    ):  # fmt: skip
        path.write_text(f"bob {options} {public} bob@laptop\r\n".replace("  ", " "))
        openssh = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(path), "-I", "bob", "-n", NAMESPACE, "-s", str(tmp_path / "statement.sig")],
            input=message.read_bytes(),
            capture_output=True,
        )
        try:
            ours: bool | str = read_allowed_signers(str(path)).allows("bob", key)
        except SignatureError as exc:
            ours = str(exc)
        verdicts[options] = (openssh.returncode == 0, ours)
    lenient = {options: ours for options, (openssh, ours) in verdicts.items() if ours is True and not openssh}
    assert not lenient, lenient
    assert verdicts[""] == verdicts['namespaces="runbook-tui,other"'] == verdicts['valid-before="20991231Z"'] == (True, True)
    assert verdicts["cert-authority"] == (False, False)
    assert f"{path}:1:5: OpenSSH ignores this line: 'valid-befor=\"20200101\"' is not cert-authority" in str(verdicts['valid-befor="20200101"'][1])
    path.write_text(f'bob valid-after="20190101Z",valid-before="20200101Z" {public}\n')  # why, in words (before: "gives to bob, not to bob")
    assert (
        read_allowed_signers(str(path)).refusal("bob", key) == f"a key {path} gives to bob only from 2019-01-01 00:00 UTC until 2020-01-01 00:00 UTC, not now"
    )
    assert read_allowed_signers(str(path)).refusal("carol", key) == f"a key {path} gives to bob, not to carol"


def test_an_rsa_signature_with_sha1_is_refused_as_openssh_refuses_it(tmp_path: Path) -> None:
    from asyncssh.packet import String, UInt32

    from runbook_tui.trust.sshsig import armor

    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(tmp_path / "bob")], check=True)  # the smallest a signer may use
    key = file_signer(str(tmp_path / "bob"))
    assert key._keypair is not None
    key._keypair.set_sig_algorithm(b"ssh-rsa")  # SHA-1, which ssh-keygen -Y verify refuses for SSHSIG
    raw = key._keypair.sign(b"SSHSIG" + String(NAMESPACE) + String(b"") + String(b"sha512") + String(hashlib.sha512(b"confirm one").digest()))
    blob = b"SSHSIG" + UInt32(1) + String(key.public_key.public_data) + String(NAMESPACE) + String(b"") + String(b"sha512") + String(raw)
    with pytest.raises(SignatureError, match=r"RSA with SHA-1 \(ssh-rsa\), which OpenSSH refuses"):
        verify(b"confirm one", armor(blob))
    assert verify(b"confirm one", asyncio.run(file_signer(str(tmp_path / "bob")).sign(b"confirm one"))).fingerprint == key.fingerprint


def test_an_agent_key_too_weak_to_stand_for_a_person_never_signs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real ssh-agent holding an RSA key of 1024 bits first and an ed25519 key second: the assignee's decisions are
    signed with the ed25519 key (before: with the weak one, which `--identity` refuses); with only the weak key held,
    nothing signs (the run says its decisions are unsigned) rather than a key someone else may come to hold."""
    from runbook_tui.trust.sshsig import agent_signer

    weak, strong = _key(tmp_path, "old", "rsa"), _key(tmp_path, "new")
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "1024", "-N", "", "-C", "old", "-f", str(weak)], input=b"y\n", check=True, capture_output=True)
    socket = tmp_path / "agent.sock"
    # without -D the agent forks and its parent returns once the socket listens: nothing to wait for
    started = subprocess.run(["ssh-agent", "-s", "-a", str(socket)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"SSH_AGENT_PID=(\d+)", started)
    assert found is not None, started
    pid = int(found.group(1))
    try:
        monkeypatch.setenv("SSH_AUTH_SOCK", str(socket))
        subprocess.run(["ssh-add", "-q", str(weak)], check=True, capture_output=True)
        assert asyncio.run(agent_signer()) is None, "a 1024-bit RSA key signed"
        subprocess.run(["ssh-add", "-q", str(strong)], check=True, capture_output=True)
        listed = subprocess.run(["ssh-add", "-l"], capture_output=True, text=True, check=True).stdout.splitlines()
        assert listed[0].startswith("1024 ") and len(listed) == 2, listed  # the weak key is the agent's first
        signer = asyncio.run(agent_signer())
        assert signer is not None and signer.fingerprint == file_signer(str(strong)).fingerprint, signer
    finally:
        os.kill(pid, signal.SIGTERM)


def test_a_key_listed_for_another_namespace_or_as_a_cert_authority_is_refused_saying_so(tmp_path: Path) -> None:
    """Both lines name bob and his key, and `ssh-keygen -Y verify -n runbook-tui` refuses both: the refusal says which
    option left the key out (before: `a key FILE gives to nobody, not to bob`, as if bob were not in the file)."""
    bob = _key(tmp_path, "bob")
    public = " ".join(Path(f"{bob}.pub").read_text().split()[:2])
    signature = asyncio.run(file_signer(str(bob)).sign(b"confirm one"))
    key = verify(b"confirm one", signature).key
    (tmp_path / "statement.sig").write_text(signature)
    path = tmp_path / "allowed_signers"
    said = {
        'namespaces="git"': f"a key {path} gives to bob only for other namespaces: its line's namespaces= leaves out runbook-tui",
        "cert-authority": f"a key {path} lists for bob as a cert-authority: it vouches for the certificates it signs, never for a plain signature",
    }
    for options, words in said.items():
        path.write_text(f"bob {options} {public}\n")
        openssh = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(path), "-I", "bob", "-n", NAMESPACE, "-s", str(tmp_path / "statement.sig")],
            input=b"confirm one",
            capture_output=True,
        )
        signers = read_allowed_signers(str(path))
        assert openssh.returncode != 0 and not signers.allows("bob", key)
        assert signers.refusal("bob", key).startswith(words), signers.refusal("bob", key)
        assert signers.refusal("carol", key) == f"a key {path} gives to nobody, not to carol"


def test_a_known_hosts_marker_or_a_negated_principal_is_refused_saying_what_it_does(tmp_path: Path) -> None:
    """`@revoked bob KEY` (known_hosts' way to revoke) and `bob,!bob KEY` / `*,!b?b KEY` (OpenSSH's negation wins), each
    judged by `ssh-keygen -Y verify` too, which refuses all three. Before: `FILE:1:10: OpenSSH ignores this line: 'bob' is
    not cert-authority, ...` (pointing at the name, not the marker), and `a key FILE gives to bob, !bob, not to bob`."""
    bob = _key(tmp_path, "bob")
    public = " ".join(Path(f"{bob}.pub").read_text().split()[:2])
    signature = asyncio.run(file_signer(str(bob)).sign(b"confirm one"))
    key = verify(b"confirm one", signature).key
    (tmp_path / "statement.sig").write_text(signature)
    path = tmp_path / "allowed_signers"
    for principals in ("@revoked bob", "bob,!bob", "*,!b?b"):
        path.write_text(f"{principals} {public}\n")
        openssh = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(path), "-I", "bob", "-n", NAMESPACE, "-s", str(tmp_path / "statement.sig")],
            input=b"confirm one",
            capture_output=True,
        )
        assert openssh.returncode != 0, principals
        if principals.startswith("@"):
            with pytest.raises(SignatureError) as refused:
                read_allowed_signers(str(path))
            assert str(refused.value) == (
                f"{path}:1:1: '@revoked' is a known_hosts marker; an allowed_signers line has none (OpenSSH ignores this line):"
                ' to revoke a key, delete its line (valid-before="YYYYMMDD" ends its use from then on); a certificate authority is written'
                " 'bob cert-authority KEYTYPE BASE64'"
            )
            continue
        signers = read_allowed_signers(str(path))
        assert not signers.allows("bob", key)
        assert signers.refusal("bob", key) == f"a key {path} lists for {principals}: its '!' excludes bob", signers.refusal("bob", key)
    path.write_text(f"*,!carol {public}\n")
    assert read_allowed_signers(str(path)).allows("bob", key)  # the negation names someone else
