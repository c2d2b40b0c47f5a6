"""allowed_signers lines as people write them, read by `journal verify` / `report` and by `ssh-keygen -Y verify`.

A line pasted from a `.pub` file keeps its comment, and `ssh-keygen -C "José Núñez"` writes one with accents: asyncssh
reads a key given as text as ASCII, so the whole file was refused (`Invalid encoding for key`) where OpenSSH takes it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from runbook_tui.engine.journal import canonical
from runbook_tui.trust import statements
from runbook_tui.trust.allowed_signers import read_allowed_signers
from runbook_tui.trust.sshsig import NAMESPACE, SignatureError, file_signer, verify
from tests.trust.alice_env import alice_env

CLI = [sys.executable, "-m", "runbook_tui"]

RUNBOOK = """\
runbook: 1
id: accents
title: Accents
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Step one
        run: echo one
        undo: echo undo-one
"""


def _signed_run(folder: Path, comment: str) -> tuple[Path, list[dict[str, Any]]]:
    """alice's solo run, her decisions and seal signed with a key `ssh-keygen -C comment` made: the journal, its events."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(folder / "alice")], check=True)
    (folder / "R.yaml").write_text(RUNBOOK)
    journal = folder / "J.jsonl"
    ran = subprocess.run(
        [*CLI, "exec", "R.yaml", "--solo", "practice", "--identity", "alice", "--journal", str(journal)],
        cwd=folder,
        env=alice_env(folder),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return journal, [json.loads(line) for line in journal.read_text().splitlines()]


def _openssh_accepts(folder: Path, allowed: Path, seal: dict[str, Any]) -> bool:
    (folder / "seal.sig").write_text(seal["signature"])
    openssh = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", "alice", "-n", NAMESPACE, "-s", str(folder / "seal.sig")],
        input=statements.encode(seal["statement"]),
        capture_output=True,
    )
    return openssh.returncode == 0


def test_a_key_line_whose_comment_has_accents_is_read_as_openssh_reads_it(tmp_path: Path) -> None:
    journal, events = _signed_run(tmp_path, "José Núñez")
    pub = (tmp_path / "alice.pub").read_text(encoding="utf-8").strip()
    assert pub.endswith(" José Núñez"), pub
    seal = [e for e in events if e["type"] == "seal"][-1]
    allowed = tmp_path / "allowed_signers"
    for line in (f"alice {pub}", f'alice namespaces="runbook-tui" {pub}', f"alice,josé {pub}\r"):
        allowed.write_text(f"# the team\n{line}\n", encoding="utf-8")
        assert _openssh_accepts(tmp_path, allowed, seal), line
        verified = subprocess.run(
            [*CLI, "journal", "verify", str(journal), "--allowed-signers", str(allowed)], env=alice_env(tmp_path), capture_output=True, text=True
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "signatures hold and the end is sealed" in verified.stdout, verified.stdout
        report = subprocess.run([*CLI, "report", str(journal), "--allowed-signers", str(allowed)], env=alice_env(tmp_path), capture_output=True, text=True)
        assert report.returncode == 0, report.stderr
        assert "FAIL" not in report.stdout and "verified" in report.stdout, report.stdout

    # An option OpenSSH ignores the line for is still said at its place, comment or not (never more lenient than OpenSSH).
    allowed.write_text(f'alice namespace="runbook-tui" {pub}\n', encoding="utf-8")
    assert not _openssh_accepts(tmp_path, allowed, seal)
    refused = subprocess.run(
        [*CLI, "journal", "verify", str(journal), "--allowed-signers", str(allowed)], env=alice_env(tmp_path), capture_output=True, text=True
    )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert f"{allowed}:1:7: OpenSSH ignores this line: 'namespace=\"runbook-tui\"' is not cert-authority" in refused.stderr, refused.stderr


def test_edge_lines_are_read_as_ssh_keygen_reads_them_or_refused_at_their_place(tmp_path: Path) -> None:
    """Each line judged by `ssh-keygen -Y verify -I bob` and by us: where OpenSSH takes it, so do we; where it does not,
    we refuse bob or say FILE:LINE:COL why, never a traceback. Before: quoted principals (`"bob"`) and option keywords
    not in lower case (`Namespaces=`, OpenSSH's are case-insensitive) were refused; a trailing `,` after the options, a
    repeated `valid-after`, a non-breaking space between the fields and a time at the epoch let bob's key sign where
    OpenSSH ignores the line; an impossible date said only `unconverted data remains: 0`."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bob", "-f", str(tmp_path / "bob")], check=True)
    public = " ".join((tmp_path / "bob.pub").read_text().split()[:2])
    signature = asyncio.run(file_signer(str(tmp_path / "bob")).sign(b"confirm one"))
    (tmp_path / "statement.sig").write_text(signature)
    key = verify(b"confirm one", signature).key
    path = tmp_path / "allowed_signers"
    disagree = {}
    for written in (
        "bob KEY", '"bob" KEY', '"bob,carol" KEY', '"bob carol" KEY', 'bob,"carol" KEY', '"bob" namespaces="runbook-tui" KEY',
        '"*" KEY', '"bob,!bob" KEY', '"" KEY', '"bob KEY', '"bob"x KEY', "bob CERT-AUTHORITY KEY", 'bob Namespaces="runbook-tui" KEY',
        'bob NAMESPACES="git" KEY', 'bob Valid-After="20200101" KEY', 'bob VALID-BEFORE="20200101" KEY', 'bob valid-after="20200101z" KEY',
        'bob namespaces="runbook-tui", KEY', 'bob ,namespaces="runbook-tui" KEY', 'bob namespaces="runbook-tui",,valid-after="20200101" KEY',
        "bob , KEY", 'bob namespaces="runbook-tui",NAMESPACES="git" KEY', 'bob valid-after="20990101",valid-after="20200101" KEY',
        'bob valid-after="19700101Z" KEY', 'bob valid-before="20201301" KEY', 'bob valid-before="00000101" KEY',
        'bob valid-after="19700101000001Z" KEY', "bob\u00a0KEY", "bob\u00a0x KEY", "\tbob\tKEY\t# c", "bob KEY # José", "bob@example.com KEY",
        "bob,,carol KEY", ",bob KEY", "bob namespaces='runbook-tui' KEY", "\x0cbob KEY",
    ):  # fmt: skip
        path.write_bytes(f"# people\r\n{written.replace('KEY', public)}\r\n".encode())
        openssh = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(path), "-I", "bob", "-n", NAMESPACE, "-s", str(tmp_path / "statement.sig")],
            input=b"confirm one",
            capture_output=True,
        )
        try:
            ours: bool | str = read_allowed_signers(str(path)).allows("bob", key)
        except SignatureError as exc:
            ours = str(exc)
            assert ours.startswith(f"{path}:2:"), ours
        if (ours is True) != (openssh.returncode == 0):
            disagree[written] = (openssh.returncode == 0, ours)
    assert not disagree, disagree


def test_a_key_listed_for_two_people_signs_only_for_the_one_the_journal_names(tmp_path: Path) -> None:
    """`alice,bob KEY` lets the key sign for either (as `ssh-keygen -Y verify -I bob` reads it), so the person a signature
    is for is the one its statement names, and that must be the decision's journaled actor: a decision relabelled as
    bob's, chain recomputed, keeps a signature for alice, which is no signature of bob's."""
    journal, events = _signed_run(tmp_path, "alice")
    decision = next(e for e in events if e["type"] == "decision_signed")
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"alice,bob {(tmp_path / 'alice.pub').read_text()}")
    (tmp_path / "decision.sig").write_text(decision["signature"])
    openssh = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", "bob", "-n", NAMESPACE, "-s", str(tmp_path / "decision.sig")],
        input=statements.encode(decision["statement"]),
        capture_output=True,
    )
    assert openssh.returncode == 0, openssh.stderr  # the key may sign for bob: only the name it signed for tells them apart
    relabelled: list[dict[str, Any]] = []
    for event in events:
        event = {k: v for k, v in event.items() if k != "hash"} | {"prev": relabelled[-1]["hash"] if relabelled else ""}
        if event["seq"] == decision["decision"]:
            event["actor"] = "bob"
        relabelled.append(event | {"hash": hashlib.sha256(canonical(event)).hexdigest()})
    journal.write_text("".join(canonical(e).decode() + "\n" for e in relabelled))
    verified = subprocess.run(
        [*CLI, "journal", "verify", str(journal), "--allowed-signers", str(allowed)], env=alice_env(tmp_path), capture_output=True, text=True
    )
    assert verified.returncode == 1, verified.stdout + verified.stderr
    assert f"the signature of the decision at line {decision['decision'] + 1} fails: the signed by is 'alice', the journal says 'bob'" in verified.stdout
