"""A solo run on a ticket that names its verifier: `journal verify --allowed-signers` names them where it says the run is
signed only by whoever ran it (before: nothing said whose word the change board expected, and so whose copy of the
events to ask for)."""

from __future__ import annotations

from pathlib import Path

from test_approval_rules import _cli, folder  # noqa: F401 (folder: the fixture)


def test_a_solo_run_signed_only_by_its_assignee_names_the_tickets_verifier(folder: Path) -> None:  # noqa: F811
    ran = _cli(folder, "exec", "R.yaml", "-p", "version=1.2", "--solo", "bob is on leave", "--journal", "J.jsonl", "--identity", "alice")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    verified = _cli(folder, "journal", "verify", "J.jsonl", "--allowed-signers", "allowed_signers")
    assert verified.returncode == 0, verified.stdout
    said = "J.jsonl: signed only by alice, who ran it: a solo run ('bob is on leave'), on CHG-1 whose verifier is bob; what it says is their word"
    assert said in verified.stdout, verified.stdout
