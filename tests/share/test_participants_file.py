"""`--participants FILE` and the key files are hostile input too: `FILE:LINE:COL: what was expected`, bounded, no key twice."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import asyncssh
import pytest

from runbook_tui.share.participants import ParticipantsError, from_participants_file, gather


def _key(tmp_path: Path, name: str) -> tuple[str, str]:
    """(the public key line, the .pub file's path)."""
    key = asyncssh.generate_private_key("ssh-ed25519", comment=name)
    path = tmp_path / f"{name}.pub"
    line = key.export_public_key().decode().strip()
    path.write_text(line + "\n")
    return line, str(path)


def test_every_bad_entry_is_named_at_its_position(tmp_path: Path) -> None:
    bob, _ = _key(tmp_path, "bob")
    carol, _ = _key(tmp_path, "carol")
    file = tmp_path / "people.yaml"
    file.write_text(
        f'- {{name: bob, role: verifier, key: "{bob}"}}\n'
        f'- {{name: bobby, role: observer, key: "{bob}"}}\n'  # the same key again: which role would win?
        '- {name: "\\e]0;pwned\\a", role: admin, key: nope, extra: 1}\n'
        "- 5\n"
        "- {name: dave}\n"
        f'- {{name: carol, role: observer, key: "{carol}"}}\n'
    )
    with pytest.raises(ParticipantsError) as raised:
        from_participants_file(str(file))
    lines = str(raised.value).splitlines()
    assert lines == [
        f"{file}:2:38: entry 2: this key is entry 1's (bob, verifier); expected each key once",
        f"{file}:3:10: entry 3: name: expected a name on one line, without control characters, got '\\x1b]0;pwned\\x07'",
        f"{file}:3:32: entry 3: role: expected verifier or observer, got 'admin'",
        f"{file}:3:44: entry 3: key: expected an SSH public key (ssh-ed25519 AAAA... name): Invalid public key",
        f"{file}:3:50: entry 3: unknown field 'extra'; expected name, role, key",
        f"{file}:4:3: entry 4: expected {{name, role: verifier|observer, key: ssh-ed25519 AAAA...}}, got 5",
        f"{file}:5:3: entry 5: missing role, key; expected {{name, role: verifier|observer, key: ssh-ed25519 AAAA...}}",
    ]
    assert not any("\x1b" in line or "\x07" in line for line in lines)


def test_a_key_file_name_where_the_key_belongs_says_to_write_the_key_itself(tmp_path: Path) -> None:
    """`key: bob.pub` (a file name, as --verifier-key takes one): before, only "Invalid public key", of a key file that
    is fine. Now the entry says the file's line is expected, and how to get it."""
    _, path = _key(tmp_path, "bob")
    file = tmp_path / "people.yaml"
    file.write_text(f"- {{name: bob, role: verifier, key: {path}}}\n")
    with pytest.raises(ParticipantsError) as raised:
        from_participants_file(str(file))
    assert str(raised.value) == (
        f"{file}:1:36: entry 1: key: {path} is a file's name; expected the key itself, the line the file holds"
        f" (ssh-ed25519 AAAA... name: cat {path}), or the file given with --verifier-key / --observer-key"
    )


#: "Billion laughs": each line ten aliases of the one before.
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcde", "bcdef"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BOMB, ":5:36: too many aliases"),
        ("[" * 200 + "]" * 200 + "\n", ":1:65: nested deeper than 64 levels"),
        ("- {name: bob}\n- {name: bob}\n---\n- x\n", ":3:1: a second YAML document starts here"),
        ("name: bob\n", ":1:1: expected a list of {name, role: verifier|observer, key: ssh-ed25519 AAAA...}, got a mapping"),
        ("- {name: bob, name: bob}\n", ":1:15: duplicate key 'name' (first at line 1)"),
        ("\t- x\n", ":1:1: invalid YAML"),
    ],
    ids=["aliases", "depth", "two-documents", "mapping", "duplicate-key", "tab"],
)
def test_yaml_bombs_and_shapes_are_refused_at_their_position(tmp_path: Path, text: str, expected: str) -> None:
    file = tmp_path / "people.yaml"
    file.write_text(text)
    with pytest.raises(ParticipantsError) as raised:
        from_participants_file(str(file))
    assert str(raised.value).startswith(f"{file}{expected}"), raised.value


def test_a_key_given_by_option_and_again_in_the_file_is_refused(tmp_path: Path) -> None:
    """`--verifier-key bob.pub` and bob's key as an observer in the file: bob was silently demoted (the last entry won)."""
    bob, bob_file = _key(tmp_path, "bob")
    file = tmp_path / "people.yaml"
    file.write_text(f'- {{name: bob, role: observer, key: "{bob}"}}\n')
    with pytest.raises(ParticipantsError) as raised:
        gather([bob_file], [], str(file))
    assert str(raised.value) == f"{file}:1:36: entry 1: this key is given by --verifier-key; expected each key once"
    with pytest.raises(ParticipantsError) as raised:
        gather([bob_file], [bob_file], None)
    assert str(raised.value) == f"{bob_file}:1:1: this key was given before; expected each key once (one role per person)"
    assert [(p.name, p.role) for p in gather([bob_file], [], None)] == [("bob", "verifier")]


@pytest.mark.peers  # the guard sees `--share`; the session is refused before it listens
def test_the_command_line_refuses_a_fifo_dev_zero_and_bad_files_without_a_traceback(tmp_path: Path) -> None:
    """A FIFO as a key file blocked for ever; `/dev/zero` as the participants file was read until memory ran out."""
    runbook = tmp_path / "R.yaml"
    runbook.write_text("runbook: 1\n")  # never read: the share options are checked first
    fifo = tmp_path / "bob.pub"
    os.mkfifo(fifo)
    bad = tmp_path / "people\x1b[2J.yaml"
    bad.write_text("- {name: bob, role: boss, key: x}\n")
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    cases = [
        (["--verifier-key", str(fifo)], f"{fifo}:1:1: cannot read the key: expected a regular file, got a FIFO\n"),
        (["--participants", "/dev/zero"], "/dev/zero:1:1: cannot read the participants: expected a regular file, got a character device\n"),
        (
            ["--participants", str(bad)],
            f"{tmp_path}/people␛[2J.yaml:1:21: entry 1: role: expected verifier or observer, got 'boss'\n"
            f"{tmp_path}/people␛[2J.yaml:1:32: entry 1: key: expected an SSH public key (ssh-ed25519 AAAA... name): Invalid public key\n",
        ),
    ]
    for args, stderr in cases:
        command = [sys.executable, "-m", "runbook_tui", "exec", "--share", "127.0.0.1:0", *args, str(runbook)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
        assert (done.returncode, done.stderr) == (2, stderr)


def test_nobody_may_be_named_system_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The journal's `actor` is a user name, or `system` for the program. Before: a verifier key commented `system`, a
    participants entry `name: system` and RUNBOOK_TUI_USER=system were taken, and that person's confirmations, rollbacks
    and skips read as the program's own (a guard's rollback and a person's looked the same in the report)."""
    from runbook_tui import cli

    system_line, system_pub = _key(tmp_path, "system")
    with pytest.raises(ParticipantsError, match=r"system\.pub:1:1: the key's comment \(or the file's name\) names this person: 'system' is what the journal"):
        gather([system_pub], [], None)
    nameless = asyncssh.generate_private_key("ssh-ed25519", comment="@laptop")
    (tmp_path / "nameless.pub").write_text(nameless.export_public_key().decode())
    with pytest.raises(ParticipantsError, match=r"expected a name, got an empty one"):
        gather([], [str(tmp_path / "nameless.pub")], None)
    file = tmp_path / "people.yaml"
    file.write_text(f'- {{name: system, role: verifier, key: "{system_line}"}}\n')
    with pytest.raises(ParticipantsError) as raised:
        from_participants_file(str(file))
    assert str(raised.value) == f"{file}:1:10: entry 1: name: 'system' is what the journal calls the program itself; expected a person's name"
    runbook = tmp_path / "r.yaml"
    runbook.write_text("runbook: 1\nid: r\ntitle: R\nsections:\n  - {id: a, title: A, steps: [{id: s, title: S, run: 'true', verify: none}]}\n")
    monkeypatch.setenv("RUNBOOK_TUI_USER", "system")
    assert cli.main(["exec", str(runbook), "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 2
    assert "RUNBOOK_TUI_USER (or the login name): 'system' is what the journal calls the program itself" in capsys.readouterr().err
    assert not (tmp_path / "j.jsonl").exists()


def test_a_name_with_control_or_invisible_characters_is_refused_as_the_participants_file_refuses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key's comment is the name the journal records as the actor of every decision. Before: `--verifier-key` took a
    comment holding ESC, BEL, NUL or a right-to-left override (`"verifiers":["ev\\u001b\\u0007\\u0000il\u202ex"]` in
    share_started), and RUNBOOK_TUI_USER an escape, where the participants file refuses such a `name:`."""
    from runbook_tui import cli

    for comment in ("ev\x1b\x07il", "nul\x00x", "bob\u202eevil", "zero\u200bwidth"):
        key = asyncssh.generate_private_key("ssh-ed25519")
        path = tmp_path / "v.pub"
        path.write_bytes(b" ".join(key.export_public_key().split()[:2]) + b" " + comment.encode() + b"\n")
        with pytest.raises(ParticipantsError, match=r"v\.pub:1:1: the key's comment \(or the file's name\) names this person: .* expected a name on one line"):
            gather([str(path)], [], None)
    runbook = tmp_path / "r.yaml"
    runbook.write_text("runbook: 1\nid: r\ntitle: R\nsections:\n  - {id: a, title: A, steps: [{id: s, title: S, run: 'true', verify: none}]}\n")
    monkeypatch.setenv("RUNBOOK_TUI_USER", "al\x1b[2Jice")
    assert cli.main(["exec", str(runbook), "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "RUNBOOK_TUI_USER (or the login name): 'al\\x1b[2Jice' holds control characters" in err and "\x1b" not in err, err
    assert not (tmp_path / "j.jsonl").exists()


def test_a_private_key_or_a_weak_key_never_stands_for_a_participant_nor_signs(tmp_path: Path) -> None:
    """Before: `--verifier-key ~/.ssh/bob` (the private key) was taken (asyncssh reads its public half) and its path
    journaled and named in every resume command; RSA of 1024 bits and DSA keys were taken as a verifier's, and signed."""
    from runbook_tui.trust.sshsig import SignatureError, file_signer

    private = asyncssh.generate_private_key("ssh-ed25519", comment="bob")
    (tmp_path / "bob").write_bytes(private.export_private_key())
    (tmp_path / "enc").write_bytes(private.export_private_key(passphrase="pw"))
    rsa = asyncssh.generate_private_key("ssh-rsa", key_size=1024, comment="carol")
    (tmp_path / "carol.pub").write_bytes(rsa.export_public_key())
    (tmp_path / "carol").write_bytes(rsa.export_private_key())
    dsa = asyncssh.generate_private_key("ssh-dss", comment="dave")
    (tmp_path / "dave.pub").write_bytes(dsa.export_public_key())
    for name, said in [
        ("bob", "this is a private key: expected the public one (the .pub file next to it, or `ssh-keygen -y -f KEY`)"),
        ("enc", "this is a private key: expected the public one"),
        ("carol.pub", "this is an RSA key of 1024 bits; expected an ed25519 or ECDSA key, or RSA of at least 2048 bits"),
        ("dave.pub", "this is a DSA key (ssh-dss), which OpenSSH no longer accepts; expected an ed25519 or ECDSA key"),
    ]:
        with pytest.raises(ParticipantsError) as raised:
            gather([str(tmp_path / name)], [], None)
        assert str(raised.value).startswith(f"{tmp_path / name}:1:1: {said}"), raised.value
    people = tmp_path / "people.yaml"
    people.write_text(f'- {{name: carol, role: observer, key: "{rsa.export_public_key().decode().strip()}"}}\n')
    with pytest.raises(ParticipantsError) as raised:
        from_participants_file(str(people))
    assert (
        str(raised.value)
        == f"{people}:1:38: entry 1: key: this is an RSA key of 1024 bits; expected an ed25519 or ECDSA key, or RSA of at least 2048 bits (ssh-keygen -t ed25519 makes one)"
    )
    with pytest.raises(SignatureError, match="cannot use this key to sign: this is an RSA key of 1024 bits"):
        file_signer(str(tmp_path / "carol"))
    assert file_signer(str(tmp_path / "bob")).fingerprint == private.get_fingerprint()


@pytest.mark.peers  # the guard sees `--share`; the session is refused before it listens
def test_a_shared_run_only_observers_may_join_is_refused_unless_solo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: `exec --share ADDR --observer-key olive.pub` ran the first step and waited for ever for a verifier no one
    could be (an observer cannot confirm)."""
    from runbook_tui import cli

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    _line, olive = _key(tmp_path, "olive")
    runbook = tmp_path / "r.yaml"
    runbook.write_text(f"runbook: 1\nid: r\ntitle: R\nsections:\n  - {{id: a, title: A, steps: [{{id: s, title: S, run: 'touch {tmp_path}/ran'}}]}}\n")
    journal = tmp_path / "j.jsonl"
    codes: list[int] = []
    argv = ["exec", str(runbook), "--share", "127.0.0.1:1", "--observer-key", olive, "--journal", str(journal)]
    command = threading.Thread(target=lambda: codes.append(cli.main(argv)), daemon=True)  # (before: it never returned)
    command.start()
    command.join(20)
    assert codes == [2], "still waiting after 20 s" if command.is_alive() else codes
    said = "--share with observers only: nobody who may join can confirm a step, and the run would wait at the first one"
    assert capsys.readouterr().err.startswith(f"runbook-tui: {said}; give the verifier's key (--verifier-key FILE), or run it --solo REASON")
    assert not journal.exists() and not (tmp_path / "ran").exists()


@pytest.mark.peers  # the guard sees `--share`; the session is refused before it listens
@pytest.mark.parametrize("given", ["--verifier-key", "--participants"])
def test_a_verifier_key_that_is_the_assignee_s_own_signing_key_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    """Before: `exec --identity alice --share ADDR --verifier-key alice.pub` (the key commented `bob`) ran: alice could
    join as "bob" with her own key and confirm her own steps, every decision and confirmation signed, and checking out."""
    from runbook_tui import cli

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    key = asyncssh.generate_private_key("ssh-ed25519", comment="bob")
    key.write_private_key(str(tmp_path / "alice"))
    key.write_public_key(str(tmp_path / "alice.pub"))
    (tmp_path / "alice").chmod(0o600)
    people = tmp_path / "people.yaml"
    people.write_text(f"- name: bob\n  role: verifier\n  key: {key.export_public_key().decode().strip()}\n")
    runbook = tmp_path / "r.yaml"
    runbook.write_text(f"runbook: 1\nid: r\ntitle: R\nsections:\n  - {{id: a, title: A, steps: [{{id: s, title: S, run: 'touch {tmp_path}/ran'}}]}}\n")
    journal = tmp_path / "j.jsonl"
    keys = str(tmp_path / "alice.pub") if given == "--verifier-key" else str(people)
    argv = ["exec", str(runbook), "--share", "127.0.0.1:1", given, keys, "--identity", str(tmp_path / "alice"), "--journal", str(journal)]
    codes: list[int] = []
    command = threading.Thread(target=lambda: codes.append(cli.main(argv)), daemon=True)
    command.start()
    command.join(20)
    assert codes == [2], "still running after 20 s" if command.is_alive() else codes
    said = f"runbook-tui: --share: the verifier bob's key ({key.get_fingerprint()}) is the key your decisions are signed with"
    assert capsys.readouterr().err.startswith(said)
    assert not journal.exists() and not (tmp_path / "ran").exists()


@pytest.mark.peers  # the guard sees `--share`; the session is refused before it listens
def test_a_verifier_key_the_allowed_signers_give_to_the_assignee_too_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """alice signs with her key; the verifier's key (commented `bob`) is one the allowed_signers file lists for
    `alice,bob`. Before, the run started and waited for "bob", whose every confirmation `journal verify` would then fail
    (the key is alice's too); now it is refused before it listens or journals anything."""
    from runbook_tui import cli

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("SSH_AUTH_SOCK", "")
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    for name, comment in (("alice", "alice"), ("second", "bob")):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(tmp_path / name)], check=True)
    public = {name: " ".join((tmp_path / f"{name}.pub").read_text().split()[:2]) for name in ("alice", "second")}
    signers = tmp_path / "allowed_signers"
    signers.write_text(f"alice {public['alice']}\nalice,bob {public['second']}\n")
    runbook = tmp_path / "r.yaml"
    runbook.write_text(f"runbook: 1\nid: r\ntitle: R\nsections:\n  - {{id: a, title: A, steps: [{{id: s, title: S, run: 'touch {tmp_path}/ran'}}]}}\n")
    journal = tmp_path / "j.jsonl"
    argv = ["exec", str(runbook), "--share", "127.0.0.1:1", "--verifier-key", str(tmp_path / "second.pub"), "--identity", str(tmp_path / "alice"),
            "--allowed-signers", str(signers), "--journal", str(journal)]  # fmt: skip
    codes: list[int] = []
    command = threading.Thread(target=lambda: codes.append(cli.main(argv)), daemon=True)
    command.start()
    command.join(20)
    assert codes == [2], "still running after 20 s" if command.is_alive() else codes
    fingerprint = asyncssh.read_public_key(str(tmp_path / "second.pub")).get_fingerprint()
    said = f"runbook-tui: --share: the verifier bob's key ({fingerprint}) is one {signers} gives to alice too, the assignee at this keyboard"
    assert capsys.readouterr().err.startswith(said)
    assert not journal.exists() and not (tmp_path / "ran").exists()


@pytest.mark.peers  # the guard sees `--share`; the session is refused before it listens
@pytest.mark.parametrize("named", ["alice", "Alice", " ALICE"])
def test_a_verifier_key_naming_the_assignee_is_refused_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], named: str
) -> None:
    """Before: `run --share ADDR --verifier-key k.pub` with the key commented `root@vm`, run by root, started; the
    verifier joined as "root" and every confirmation was refused by the two-person rule, found out at the first step
    (and `Alice` passed the exact name compare). Now the run is refused before it starts, saying how to name the key."""
    from runbook_tui import cli

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    key = asyncssh.generate_private_key("ssh-ed25519", comment=f"{named}@laptop")
    key.write_public_key(str(tmp_path / "k.pub"))
    runbook = tmp_path / "r.yaml"
    runbook.write_text(f"runbook: 1\nid: r\ntitle: R\nsections:\n  - {{id: a, title: A, steps: [{{id: s, title: S, run: 'touch {tmp_path}/ran'}}]}}\n")
    journal = tmp_path / "j.jsonl"
    argv = ["exec", str(runbook), "--share", "127.0.0.1:1", "--verifier-key", str(tmp_path / "k.pub"), "--journal", str(journal)]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("runbook-tui: --share: the verifier's key names "), err
    assert "who is the assignee at this keyboard: the two-person rule needs another person" in err and "ssh-keygen -c -C NAME" in err, err
    assert not journal.exists() and not (tmp_path / "ran").exists()


def test_one_name_in_two_roles_is_refused(tmp_path: Path) -> None:
    """Before: a verifier key and an observer key both named bob were both let in; the session counts a person's
    sessions by name, so the observer's key could take the verifier's 4 places, and the journal said "bob joined"
    for either."""
    for folder in ("laptop", "other"):
        (tmp_path / folder).mkdir()
    verifier_line, verifier = _key(tmp_path, "bob")
    _laptop_line, laptop = _key(tmp_path / "laptop", "bob")
    observer_line, observer = _key(tmp_path / "other", "bob")
    said = "bob is named verifier by {} and observer here; expected one role per name"
    with pytest.raises(ParticipantsError) as by_option:
        gather([verifier], [observer], None)
    assert str(by_option.value) == f"{observer}:1:1: " + said.format("--verifier-key") + (
        " (two people: give each key its own name; one person: join with the verifier's key and --observe to watch)"
    )
    people = tmp_path / "people.yaml"
    people.write_text(f"- name: bob\n  role: verifier\n  key: {verifier_line}\n- name: bob\n  role: observer\n  key: {observer_line}\n")
    with pytest.raises(ParticipantsError, match=f"^{people}:4:9: entry 2: " + said.format("entry 1")):
        gather([], [], str(people))
    with pytest.raises(ParticipantsError, match=f"{people}:4:9: entry 2: " + said.format("--verifier-key")):
        gather([verifier], [], str(people))
    # one person's two keys in one role: still let in (a laptop and a desktop)
    assert [(p.name, p.role) for p in gather([verifier, laptop], [], None)] == [("bob", "verifier")] * 2


@pytest.mark.parametrize("name", ["you", "You"])
def test_nobody_may_be_named_you(tmp_path: Path, name: str) -> None:
    """A screen calls the person reading it `you` (the verifier's own note reads `note by you`): a second verifier whose
    key's comment named them `you` would have their note read `note by you` on bob's screen too, as if it were his."""
    line, pub = _key(tmp_path, name)
    with pytest.raises(ParticipantsError, match=rf"{name}\.pub:1:1: the key's comment \(or the file's name\) names this person: '{name}' is what"):
        gather([pub], [], None)
    file = tmp_path / "people.yaml"
    file.write_text(f'- {{name: {name}, role: observer, key: "{line}"}}\n')
    with pytest.raises(ParticipantsError, match="is what a screen calls the person reading it"):
        from_participants_file(str(file))
