"""Approved plans from the command line: `approve` signs the plan's hash; `exec --approval` starts only under exactly that plan."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runbook_tui.engine.journal import canonical, event_hash
from runbook_tui.trust import statements
from runbook_tui.trust.allowed_signers import read_allowed_signers
from runbook_tui.trust.check import check
from runbook_tui.trust.sshsig import file_signer
from runbook_tui.ui.log_lines import log_lines

CLI = [sys.executable, "-m", "runbook_tui"]

RUNBOOK = """\
runbook: 1
id: approved-change
title: Upgrade to {{ version }}
ticket:
  id: CHG-1
  assignee: alice
  verifier: bob
params:
  version: {type: string, required: true}
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Install {{ version }}
        run: echo installing {{ version }}
        undo: echo removing {{ version }}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "R.yaml").write_text(RUNBOOK)
    lines = []
    for name in ("alice", "bob", "dave"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(tmp_path / name)], check=True)
        lines.append(f"{name} {' '.join((tmp_path / f'{name}.pub').read_text().split()[:2])}")
    (tmp_path / "allowed_signers").write_text("\n".join(lines) + "\n")
    return tmp_path


def _cli(folder: Path, *args: str, stdin: str = "", settings: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS")}
    config = folder / "xdg-config"
    if settings:
        (config / "runbook-tui").mkdir(parents=True, exist_ok=True)
        (config / "runbook-tui" / "settings.yaml").write_text(settings)
    env.update(XDG_CONFIG_HOME=str(config), XDG_STATE_HOME=str(folder / "xdg-state"), SSH_AUTH_SOCK="", RUNBOOK_TUI_USER="alice")
    return subprocess.run([*CLI, *args], cwd=folder, env=env, input=stdin, capture_output=True, text=True, timeout=60)


#: Why the approvals of these tests admit a run without bob, the ticket's verifier: each test runs `exec --solo`.
SOLO = "the tests run alone"


def _approve(folder: Path, who: str, version: str, answer: str = "yes\n") -> subprocess.CompletedProcess[str]:
    return _cli(
        folder,
        "approve",
        "R.yaml",
        "-p",
        f"version={version}",
        "--identity",
        who,
        "--allowed-signers",
        "allowed_signers",
        "-o",
        f"{who}-{version}.approval",
        "--solo",
        SOLO,
        stdin=answer,
    )


def _exec(folder: Path, version: str, *extra: str, settings: str = "") -> subprocess.CompletedProcess[str]:
    return _cli(
        folder,
        "exec",
        "R.yaml",
        "-p",
        f"version={version}",
        "--solo",
        "test",
        "--journal",
        f"J-{version}.jsonl",
        "--allowed-signers",
        "allowed_signers",
        *extra,
        settings=settings,
    )


def test_an_approved_plan_runs_and_the_approval_is_journaled_and_reported(folder: Path) -> None:
    made = _approve(folder, "bob", "1.2")
    assert made.returncode == 0, made.stderr
    assert "echo installing 1.2" in made.stdout and "signing as bob" in made.stdout  # the rendered plan was shown
    assert (folder / "bob-1.2.approval").stat().st_mode & 0o777 == 0o600
    ran = _exec(folder, "1.2", "--approval", "bob-1.2.approval", "--identity", "alice")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    events = [json.loads(line) for line in (folder / "J-1.2.jsonl").read_text().splitlines()]
    [approved] = [e for e in events if e["type"] == "plan_approved"]
    kinds = [e["type"] for e in events]
    assert approved["principal"] == "bob" and events.index(approved) < kinds.index("step_started")  # before anything ran
    # exec (and the run screen's log, the same words) says who approved which plan (before: "plan 3f2a... by bob")
    assert re.search(r"plan_approved +plan sha256 [0-9a-f]{16} approved by bob with SHA256:", ran.stdout), ran.stdout
    [shown] = log_lines(approved)  # the run screen's log, the verifier's and replay's say it too (before: nothing)
    assert shown.startswith("── plan sha256 ") and " approved by bob with SHA256:" in shown, shown
    verified = _cli(folder, "journal", "verify", "J-1.2.jsonl", "--allowed-signers", "allowed_signers")
    assert verified.returncode == 0 and "sealed by alice" in verified.stdout, verified.stdout
    report = _cli(folder, "report", "J-1.2.jsonl", "--allowed-signers", "allowed_signers")
    assert "| plan approved | bob |" in report.stdout.replace("signed by ", ""), report.stdout
    assert "| step\\_started one (run) | signed by alice |" in report.stdout  # the assignee's decision, signed with --identity


def test_an_approval_for_other_parameters_is_refused_saying_what_differs(folder: Path) -> None:
    assert _approve(folder, "bob", "1.2").returncode == 0
    refused = _exec(folder, "1.3", "--approval", "bob-1.2.approval")
    assert refused.returncode == 2
    assert 'params.version: approved "1.2", now "1.3"' in refused.stderr, refused.stderr
    assert not (folder / "J-1.3.jsonl").exists()  # refused before anything was journaled or run


def test_an_approval_by_someone_not_allowed_to_approve_is_refused(folder: Path) -> None:
    assert _approve(folder, "dave", "1.2").returncode == 0  # dave is in allowed_signers, but neither the verifier nor an approver
    refused = _exec(folder, "1.2", "--approval", "dave-1.2.approval")
    assert refused.returncode == 2, refused.stderr
    # it says dave may not, who may, and where that list comes from (before: "the plan may be approved by bob", no more)
    said = "who may not approve this plan; it may be approved by bob (the ticket's verifier, and the names in approvers: in settings)"
    assert "approved by dave" in refused.stderr and said in refused.stderr, refused.stderr
    allowed = _exec(folder, "1.2", "--approval", "dave-1.2.approval", settings="approvers: [dave]\n")
    assert allowed.returncode == 0, allowed.stderr


def test_require_approval_refuses_a_run_without_one_and_no_means_no_approval(folder: Path) -> None:
    refused = _exec(folder, "1.2", settings="require_approval: true\n")
    assert refused.returncode == 2 and "needs an approved plan" in refused.stderr
    declined = _approve(folder, "bob", "1.2", answer="no\n")
    assert declined.returncode == 1 and not (folder / "bob-1.2.approval").exists()
    (folder / "bob-1.2.approval").symlink_to(folder / "R.yaml")  # planted where the approval goes: never followed
    planted = _approve(folder, "bob", "1.2")
    assert planted.returncode == 2 and "it is a symbolic link: refusing to follow it" in planted.stderr, planted.stderr
    assert (folder / "R.yaml").read_text() == RUNBOOK
    os.mkfifo(folder / "planted.key")  # a signing key that is a FIFO (or /dev/zero): refused, not waited on
    key = _cli(folder, "approve", "R.yaml", "-p", "version=1.2", "--identity", "planted.key", stdin="yes\n")
    assert key.returncode == 2 and "--identity planted.key: cannot read this key: expected a regular file, got a FIFO" in key.stderr, key.stderr


def test_a_rehearsal_needs_the_approval_a_run_needs_and_checks_it_before_asking(folder: Path) -> None:
    """`rehearse` runs the real commands on the real hosts: under `require_approval: true` it started without any
    approval. Now it is refused as `run` and `exec` are, before the question; with bob's approval it runs."""
    required = "require_approval: true\n"
    rehearse = ("rehearse", "R.yaml", "-p", "version=1.2", "--yes", "--allowed-signers", "allowed_signers", "--journal", "J-rehearsal.jsonl")
    refused = _cli(folder, *rehearse, settings=required)
    assert refused.returncode == 2 and "needs an approved plan" in refused.stderr, refused.stdout + refused.stderr
    assert "echo installing" not in refused.stdout and not (folder / "J-rehearsal.jsonl").exists()  # nothing ran
    assert _approve(folder, "bob", "1.3").returncode == 0
    other = _cli(folder, *rehearse, "--approval", "bob-1.3.approval", settings=required)
    assert other.returncode == 2 and 'params.version: approved "1.3", now "1.2"' in other.stderr, other.stderr
    assert _approve(folder, "bob", "1.2").returncode == 0
    ran = _cli(folder, *rehearse, "--approval", "bob-1.2.approval", settings=required)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    kinds = [json.loads(line)["type"] for line in (folder / "J-rehearsal.jsonl").read_text().splitlines()]
    assert "plan_approved" in kinds and kinds.index("plan_approved") < kinds.index("step_started"), kinds


def test_wrong_trust_settings_are_refused_with_file_line_col(folder: Path) -> None:
    refused = _exec(folder, "1.2", settings="max_concurrency: 5\nrequire_approval: maybe\napprovers: carol\n")
    assert refused.returncode == 2
    assert "settings.yaml:2:19: require_approval: expected true or false, got 'maybe'" in refused.stderr, refused.stderr
    assert "settings.yaml:3:12: approvers: expected a list of names" in refused.stderr, refused.stderr


def _resigned_by_alice(folder: Path, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What alice can do with her own key after editing her journal: re-chain it and sign again all she had signed."""
    alice = file_signer(str(folder / "alice"))
    out: list[dict[str, Any]] = []
    new_hash: dict[str, str] = {}
    new_seq: dict[int, int] = {}
    for old in events:
        event = {k: v for k, v in old.items() if k != "hash"} | {"seq": len(out), "prev": out[-1]["hash"] if out else ""}
        new_seq[int(old["seq"])] = len(out)
        if event["type"] in ("decision_signed", "seal") and event["statement"]["by"] == "alice":
            statement = dict(event["statement"])
            if event["type"] == "seal":
                statement |= {"seq": new_seq[statement["seq"]], "head": new_hash[statement["head"]]}
            else:
                statement["shown"] = new_hash.get(statement["shown"], statement["shown"])
                event["decision"] = new_seq[event["decision"]]
            event |= {"statement": statement, "signature": asyncio.run(alice.sign(statements.encode(statement)))}
        event["hash"] = new_hash[old["hash"]] = event_hash(event)
        out.append(event)
    return out


def test_an_approval_moved_into_another_run_or_given_to_another_name_fails_journal_verify(folder: Path) -> None:
    """As alice, solo with her own key: bob's approval of 1.2 copied into her unapproved run of 1.3, and her approved
    run's approver renamed, every hash and her own signatures made again. Before, both passed `journal verify`
    ('signatures hold and the end is sealed') and the report said the plan was approved by bob (or by dave)."""
    assert _approve(folder, "bob", "1.2").returncode == 0
    assert _exec(folder, "1.2", "--approval", "bob-1.2.approval", "--identity", "alice").returncode == 0
    assert _exec(folder, "1.3", "--identity", "alice").returncode == 0  # never approved
    approved = _lines(folder / "J-1.2.jsonl")
    [approval] = [e for e in approved if e["type"] == "plan_approved"]
    unapproved = _lines(folder / "J-1.3.jsonl")
    signers = read_allowed_signers(str(folder / "allowed_signers"))
    assert not check(unapproved, signers).problems and not check(approved, signers).problems  # both hold as written
    moved = check(_resigned_by_alice(folder, [unapproved[0], approval, *unapproved[1:]]), signers)
    assert moved.approval is not None and moved.approval.status == "fails", moved.approval
    assert [p for p in moved.problems if "an approval of another plan" in p] == moved.problems, moved.problems
    renamed = check(_resigned_by_alice(folder, [e | {"principal": "dave"} if e is approval else e for e in approved]), signers)
    assert renamed.problems == [
        f"line {approval['seq'] + 1}: the plan's approval fails: the journal names dave as the approver: "
        f"a key {folder / 'allowed_signers'} gives to bob, not to dave"
    ], renamed.problems


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_an_approval_binds_where_the_ssh_config_sends_each_host(folder: Path) -> None:
    """A host the runbook names without an address goes where the ssh config says: a config (or settings) changed
    after the approval, sending db1 to another machine, is refused, saying what moved (a `User` there is the runner's)."""
    (folder / "R.yaml").write_text(RUNBOOK.replace("params:", "hosts:\n  db: [{name: db1}]\nparams:", 1))
    (folder / "ssh_config").write_text("Host db1\n  HostName 10.9.9.9\n  User evil\n")
    made = _cli(folder, "approve", "R.yaml", "-p", "version=1.2", "--identity", "bob", "--allowed-signers", "allowed_signers", "-o", "ok.approval",
                "--solo", SOLO, stdin="yes\n", settings="ssh: {config: false}\n")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "== Connections" in made.stdout and "db1: address db1 (default)" in made.stdout  # the approver saw the route
    assert _exec(folder, "1.2", "--approval", "ok.approval", settings="ssh: {config: false}\n").returncode == 0
    moved = _exec(folder, "1.2", "--approval", "ok.approval", settings=f"ssh: {{config: {folder / 'ssh_config'}}}\n")
    assert moved.returncode == 2, moved.stdout
    assert 'the plan rendered now differs from the one approved: routes.db1.address: approved "db1", now "10.9.9.9"\n' in moved.stderr, moved.stderr


def test_a_plan_whose_commands_read_the_time_can_be_approved_and_run(folder: Path) -> None:
    """`now` renders when the runbook loads: an approval held the approver's time and no run ever matched it (exit 2,
    `run: approved "echo backup-1650...", now "echo backup-1651..."`). The plan shows such text in words (`⟨now⟩`, never
    `{{`): a step's command and title, and the runbook's and its sections' titles (`title: approved "Upgrade at 1650...",
    now "Upgrade at 1651..."` until these were too)."""
    (folder / "R.yaml").write_text(
        RUNBOOK.replace("run: echo installing {{ version }}", "run: echo backup-{{ now.strftime('%H%M%S%f') }}")
        .replace("title: Install {{ version }}", "title: Install {{ version }} at {{ now.strftime('%f') }}")
        .replace("title: Upgrade to {{ version }}", "title: Upgrade to {{ version }} at {{ now.strftime('%f') }}")
        .replace("    title: Change", "    title: Change at {{ now.strftime('%f') }}")
    )
    made = _approve(folder, "bob", "1.2")
    assert made.returncode == 0 and "run: echo backup-⟨now.strftime('%H%M%S%f')⟩" in made.stdout, made.stdout + made.stderr
    assert "Upgrade to 1.2 at ⟨now.strftime('%f')⟩" in made.stdout and "== Change at ⟨now.strftime('%f')⟩" in made.stdout, made.stdout
    assert "{{" not in made.stdout, made.stdout
    ran = _exec(folder, "1.2", "--approval", "bob-1.2.approval")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert re.search(r"local \| backup-\d{12}", ran.stdout), ran.stdout  # the run renders its own time


def test_an_approval_holds_wherever_the_runbook_is_run_from(folder: Path) -> None:
    """bob approves `R.yaml` in his folder; alice runs the same file as `./R.yaml`, by its absolute path, and from a copy
    in her own checkout (before: each refused, exit 2, `file: approved "R.yaml", now "./R.yaml"`). What the file says is
    still bound (its digest): an edited copy is refused. An approval made when the path was hashed still holds."""
    assert _approve(folder, "bob", "1.2").returncode == 0
    checkout = folder / "alice-checkout"
    checkout.mkdir()
    (checkout / "R.yaml").write_text(RUNBOOK)
    for number, path in enumerate(("./R.yaml", str(folder / "R.yaml"), str(checkout / "R.yaml"))):
        journal = f"J-moved-{number}.jsonl"
        ran = _cli(folder, "exec", path, "-p", "version=1.2", "--solo", "test", "--journal", journal, "--allowed-signers", "allowed_signers",
                   "--approval", "bob-1.2.approval", "--identity", "alice")  # fmt: skip
        assert ran.returncode == 0, ran.stdout + ran.stderr
        verified = _cli(folder, "journal", "verify", journal, "--allowed-signers", "allowed_signers")
        assert verified.returncode == 0 and "approval" not in verified.stdout, verified.stdout
    (checkout / "R.yaml").write_text(RUNBOOK.replace("echo removing", "echo REMOVING"))
    edited = _cli(folder, "exec", str(checkout / "R.yaml"), "-p", "version=1.2", "--solo", "test", "--allowed-signers", "allowed_signers",
                  "--approval", "bob-1.2.approval")  # fmt: skip
    assert edited.returncode == 2 and 'undo.local: approved "echo removing 1.2", now "echo REMOVING 1.2"' in edited.stderr, edited.stderr
    assert "file:" not in edited.stderr, edited.stderr  # the path is not bound: not named as a difference (before: `file: approved "R.yaml", now ...`)

    older = json.loads((folder / "bob-1.2.approval").read_text())  # as `approve` signed it before: the path in the hash
    older["statement"]["plan"] = hashlib.sha256(canonical({**older["plan"]})).hexdigest()
    older["signature"] = asyncio.run(file_signer(str(folder / "bob")).sign(statements.encode(older["statement"])))
    (folder / "older.approval").write_text(json.dumps(older))
    ran = _exec(folder, "1.2", "--approval", "older.approval", "--identity", "alice")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    verified = _cli(folder, "journal", "verify", "J-1.2.jsonl", "--allowed-signers", "allowed_signers")
    assert verified.returncode == 0, verified.stdout


def test_a_key_with_a_passphrase_is_refused_saying_to_use_the_agent(folder: Path) -> None:
    """`approve` and `exec` never ask for a passphrase: a key protected by one is refused, exit 2, saying to add it to the
    ssh-agent (before: asyncssh's `Passphrase must be specified to import encrypted private keys`, with no way on)."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "not-said-anywhere", "-C", "carol", "-f", str(folder / "carol")], check=True)
    said = "--identity carol: this key is protected by a passphrase, which runbook-tui never asks for: add it to your ssh-agent (ssh-add carol)"
    approve = _cli(folder, "approve", "R.yaml", "-p", "version=1.2", "--identity", "carol", "-o", "c.approval", stdin="yes\n")
    assert approve.returncode == 2 and said in approve.stderr and "Traceback" not in approve.stderr, approve.stderr
    ran = _exec(folder, "1.2", "--identity", "carol")
    assert ran.returncode == 2 and said in ran.stderr and not (folder / "J-1.2.jsonl").exists(), ran.stderr


def test_an_approval_file_with_junk_after_it_is_refused_saying_where(folder: Path) -> None:
    """A line appended to a real approval (a paste, a merge): refused, exit 2, with the line and column where the JSON
    stops (before: `expected an approval written by runbook-tui approve`, no line, the same as for any other file)."""
    assert _approve(folder, "bob", "1.2").returncode == 0
    approval = folder / "bob-1.2.approval"
    lines = approval.read_text().count("\n")
    approval.write_text(approval.read_text() + "approved-by: bob\n")
    refused = _exec(folder, "1.2", "--approval", "bob-1.2.approval")
    said = f"runbook-tui: bob-1.2.approval:{lines + 1}:1: expected an approval written by `runbook-tui approve`: Extra data\n"
    assert refused.returncode == 2 and refused.stderr == said, refused.stderr
    assert not (folder / "J-1.2.jsonl").exists()


def test_a_rehearsals_journal_given_as_the_approval_is_named_as_a_journal(folder: Path) -> None:
    """A rehearsal's journal (it journals bob's approval, `plan_approved`) given to the real run as `--approval`: refused,
    exit 2, saying it is a journal, of which mode, not an approval (before: `FILE:2:1: expected an approval written by
    runbook-tui approve: Extra data`)."""
    assert _approve(folder, "bob", "1.2").returncode == 0
    rehearsed = _cli(
        folder,
        "rehearse",
        "R.yaml",
        "-p",
        "version=1.2",
        "--yes",
        "--approval",
        "bob-1.2.approval",
        "--allowed-signers",
        "allowed_signers",
        "--journal",
        "rehearsal.jsonl",
    )
    assert rehearsed.returncode == 0, rehearsed.stderr
    for journal in ("rehearsal.jsonl", "one-line.jsonl"):
        if journal == "one-line.jsonl":
            (folder / journal).write_text((folder / "rehearsal.jsonl").read_text().splitlines()[0] + "\n")
        refused = _exec(folder, "1.2", "--approval", journal)
        said = f"runbook-tui: {journal}: this is a runbook-tui journal (of a rehearsal), not an approval: give the file `runbook-tui approve -o FILE` wrote\n"
        assert refused.returncode == 2 and refused.stderr == said, refused.stderr
        assert not (folder / "J-1.2.jsonl").exists()
