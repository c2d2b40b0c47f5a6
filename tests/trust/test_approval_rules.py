"""What a change board expects of an approval beyond the plan's hash: the two-person rule (the assignee never approves
their own change, whatever name the key is listed under); a run outside the approved window needs the window's own override.

Real keys (`ssh-keygen`), the real CLI in a subprocess; approvals `approve` refuses to write are made with the library
(what anyone holding the key can do), to show that `exec` and `journal verify` refuse them too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runbook_tui.app.approved import approved_plan
from runbook_tui.app.settings import Settings
from runbook_tui.engine.journal import event_hash
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.trust import approval, statements
from runbook_tui.trust.sshsig import file_signer

CLI = [sys.executable, "-m", "runbook_tui"]

RUNBOOK = """\
runbook: 1
id: approved-change
title: Upgrade to {{ version }}
ticket:
  id: CHG-1
WINDOW  assignee: alice
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


def _runbook(window: tuple[dt.timedelta, dt.timedelta] | None = None) -> str:
    """The runbook, its ticket's change window (if any) from now + the first to now + the second."""
    if window is None:
        return RUNBOOK.replace("WINDOW", "")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start, end = (now + offset for offset in window)
    return RUNBOOK.replace("WINDOW", f"  window:\n    start: {start.isoformat()}\n    end: {end.isoformat()}\n")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "R.yaml").write_text(_runbook())
    keys = {}
    for name in ("alice", "bob", "carol"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(tmp_path / name)], check=True)
        keys[name] = " ".join((tmp_path / f"{name}.pub").read_text().split()[:2])
    (tmp_path / "allowed_signers").write_text("".join(f"{name} {key}\n" for name, key in keys.items()))
    # alice's key listed for bob too: `ssh-keygen -Y verify -I bob` accepts what she signs
    (tmp_path / "shared_signers").write_text(f"alice,bob {keys['alice']}\nbob {keys['bob']}\ncarol {keys['carol']}\n")
    return tmp_path


def _cli(folder: Path, *args: str, stdin: str = "", settings: str = "", user: str = "alice") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RUNBOOK_TUI_USER", "RUNBOOK_TUI_SETTINGS")}
    config = folder / "xdg-config"
    (config / "runbook-tui").mkdir(parents=True, exist_ok=True)
    (config / "runbook-tui" / "settings.yaml").write_text(settings or "{}\n")
    env.update(XDG_CONFIG_HOME=str(config), XDG_STATE_HOME=str(folder / "xdg-state"), SSH_AUTH_SOCK="", RUNBOOK_TUI_USER=user)
    return subprocess.run([*CLI, *args], cwd=folder, env=env, input=stdin, capture_output=True, text=True, timeout=60)


#: Why the approvals of these tests admit a run without bob, the ticket's verifier: each test runs `exec --solo`.
SOLO = "the tests run alone"


def _approve(folder: Path, key: str, signers: str = "allowed_signers", out: str = "", settings: str = "") -> subprocess.CompletedProcess[str]:
    out = out or f"{key}.approval"
    signing = ["approve", "R.yaml", "-p", "version=1.2", "--identity", key, "--allowed-signers", signers, "-o", out, "--solo", SOLO]
    return _cli(folder, *signing, stdin="yes\n", settings=settings)


def _exec(
    folder: Path, approval_file: str, *extra: str, signers: str = "allowed_signers", journal: str = "J.jsonl", **how: Any
) -> subprocess.CompletedProcess[str]:
    return _cli(
        folder, "exec", "R.yaml", "-p", "version=1.2", "--solo", "test", "--journal", journal, "--allowed-signers", signers, "--approval", approval_file,
        *extra, **how,
    )  # fmt: skip


def _made_anyway(folder: Path, key: str, by: str, out: str) -> None:
    """An approval of R.yaml's plan signed with `key` under the name `by`, as `approve` would write it had it not refused."""
    plan = approved_plan(load_runbook(folder / "R.yaml", {"version": "1.2"}).runbook, Settings())
    approval.write(str(folder / out), asyncio.run(approval.make(plan, file_signer(str(folder / key)), by, SOLO)))


RULE = "the assignee may not approve their own change (two-person rule)"


def test_an_approval_signed_with_a_key_the_file_also_gives_to_the_assignee_never_starts_a_run(folder: Path) -> None:
    """`alice,bob KEY` in allowed_signers: alice's key may sign as bob, the ticket's verifier. Before, `approve` signed
    her own change as bob and `exec --approval` started it (exit 0, `plan_approved ... approved by alice`)."""
    refused = _approve(folder, "alice", "shared_signers")
    fingerprint = file_signer(str(folder / "alice")).fingerprint
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert f"signing with {fingerprint}, a key shared_signers gives to alice, the assignee of CHG-1: {RULE}; nothing was written" in refused.stderr
    assert not (folder / "alice.approval").exists()
    _made_anyway(folder, "alice", "bob", "alice.approval")
    for user in ("alice", "carol"):  # run by the assignee, or by someone else on the assignee's ticket
        ran = _exec(folder, "alice.approval", signers="shared_signers", user=user)
        assert ran.returncode == 2, ran.stdout + ran.stderr
        said = f"alice.approval: approved with {fingerprint}, a key shared_signers gives to alice, the assignee of CHG-1: {RULE}"
        assert said in ran.stderr and "it needs the approval of another person, with a key of their own: bob" in ran.stderr, ran.stderr
        assert not (folder / "J.jsonl").exists()  # refused before anything was journaled or run
    assert _approve(folder, "bob", "shared_signers").returncode == 0  # bob's own key approves, with the same file
    assert _exec(folder, "bob.approval", "--identity", "alice", signers="shared_signers").returncode == 0


def test_the_assignee_or_the_person_running_never_approves_even_when_listed_as_an_approver(folder: Path) -> None:
    """`approvers: [alice, carol]`: alice may approve other people's changes, not her own; and whoever runs a change
    may not be the one who approved it (bob running bob's approval), nor sign the run with the approving key."""
    settings = "approvers: [alice, carol]\n"
    refused = _approve(folder, "alice", settings=settings)
    assert refused.returncode == 2 and f"a key allowed_signers gives to alice, the assignee of CHG-1: {RULE}" in refused.stderr, refused.stderr
    _made_anyway(folder, "alice", "alice", "alice.approval")
    ran = _exec(folder, "alice.approval", settings=settings)
    assert ran.returncode == 2 and "gives to alice, the assignee of CHG-1" in ran.stderr, ran.stderr
    assert "with a key of their own: bob, carol" in ran.stderr, ran.stderr
    assert _approve(folder, "bob").returncode == 0
    by_bob = _exec(folder, "bob.approval", user="bob")
    assert by_bob.returncode == 2 and f"a key allowed_signers gives to bob, who runs this change: {RULE}" in by_bob.stderr, by_bob.stderr
    own_key = _exec(folder, "bob.approval", "--identity", "bob")  # alice signing her run with the key that approved it
    assert own_key.returncode == 2 and "the key this run's assignee signs with (--identity or the agent's)" in own_key.stderr, own_key.stderr
    assert not (folder / "J.jsonl").exists()
    assert _approve(folder, "carol", settings=settings).returncode == 0  # an approver who is not the assignee
    assert _exec(folder, "carol.approval", "--identity", "alice", settings=settings).returncode == 0


def _rechained(folder: Path, events: list[dict[str, Any]], change: dict[int, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The journal with the events at `change` (by seq) updated, in the order given, numbered again, every hash and prev
    made again, and alice's signatures made again over the new heads and lines with her key: what the assignee can do
    to the file she writes."""
    alice = file_signer(str(folder / "alice"))
    out: list[dict[str, Any]] = []
    seqs: dict[int, int] = {}
    hashes: dict[str, str] = {}
    for old in events:
        seqs[int(old["seq"])] = len(out)
        event = {k: v for k, v in old.items() if k != "hash"} | (change or {}).get(int(old["seq"]), {})
        event |= {"seq": len(out), "prev": out[-1]["hash"] if out else ""}
        if event["type"] == "decision_signed":
            event["decision"] = seqs[event["decision"]]
        if event["type"] in ("seal", "decision_signed") and event["statement"]["by"] == "alice":
            statement = dict(event["statement"])
            if event["type"] == "seal":
                statement |= {"seq": seqs[statement["seq"]], "head": hashes[statement["head"]]}
            else:
                statement["shown"] = hashes.get(statement["shown"], statement["shown"])
            event |= {"statement": statement, "signature": asyncio.run(alice.sign(statements.encode(statement)))}
        event["hash"] = hashes[old["hash"]] = event_hash(event)
        out.append(event)
    return out


def _write(path: Path, events: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events))


def test_journal_verify_and_report_refuse_an_approval_the_assignee_made_herself(folder: Path) -> None:
    """bob's real approval in alice's journal, replaced by one she signed with her key (listed for bob too), chain
    recomputed: `journal verify` passed it (`signatures hold and the end is sealed`, exit 0)."""
    assert _approve(folder, "bob", "shared_signers").returncode == 0
    assert _exec(folder, "bob.approval", "--identity", "alice", signers="shared_signers").returncode == 0
    events = [json.loads(line) for line in (folder / "J.jsonl").read_text().splitlines()]
    [honest] = [e for e in events if e["type"] == "plan_approved"]
    _made_anyway(folder, "alice", "bob", "alice.approval")
    forged = json.loads((folder / "alice.approval").read_text())
    swap = {"statement": forged["statement"], "signature": forged["signature"], "key": forged["key"]}
    _write(folder / "F.jsonl", _rechained(folder, events, {honest["seq"]: swap}))
    verified = _cli(folder, "journal", "verify", "F.jsonl", "--allowed-signers", "shared_signers")
    assert verified.returncode == 1, verified.stdout
    line = honest["seq"] + 1
    said = f"F.jsonl: line {line}: the plan's approval fails: approved with {forged['key']}, a key shared_signers gives to alice, the assignee of CHG-1: {RULE}"
    assert said in verified.stdout and "NOT trusted: 1 problem" in verified.stdout, verified.stdout
    report = _cli(folder, "report", "F.jsonl", "--allowed-signers", "shared_signers")
    assert f"| {line} | plan approved |" in report.stdout and "FAILS: approved with" in report.stdout, report.stdout
    # said first, and the Journal row no longer says "`journal verify` passes" of what `journal verify` refuses
    banner = f"> **Signatures FAIL (1), `journal verify --allowed-signers` fails:** line {line} plan approved: approved with {forged['key']}, a key"
    assert report.stdout.index(banner) < report.stdout.index("## Summary"), report.stdout
    assert "`journal verify` passes the chain; with --allowed-signers it FAILS (1 signature problem, see Signatures)" in report.stdout
    html = _cli(folder, "report", "F.jsonl", "--allowed-signers", "shared_signers", "--format", "html").stdout
    assert '<p class="banner bad"><strong>Signatures FAIL (1), <code>journal verify --allowed-signers</code> fails:</strong> line' in html, html
    assert _cli(folder, "journal", "verify", "J.jsonl", "--allowed-signers", "shared_signers").returncode == 0  # the honest one holds
    honest = _cli(folder, "report", "J.jsonl", "--allowed-signers", "shared_signers").stdout
    assert "Signatures FAIL" not in honest and "`journal verify` passes;" in honest, honest


HOUR = dt.timedelta(hours=1)


def test_an_approval_is_of_its_change_window_and_a_run_outside_it_needs_the_journaled_override(folder: Path) -> None:
    """The approval binds the ticket and its window (the plan's hash). A run outside the window is the window's own rule
    (issue 13: refused unless --override-window REASON, journaled and in the report), whether approved or not: an
    approval never makes that override impossible (a late emergency change under require_approval could not run)."""
    (folder / "R.yaml").write_text(_runbook((-72 * HOUR, -70 * HOUR)))  # closed two days ago
    made = _approve(folder, "bob")
    assert made.returncode == 0, made.stdout + made.stderr
    assert "the approval is of CHG-1's change window " in made.stdout and "starts only with --override-window REASON" in made.stdout, made.stdout
    refused = _exec(folder, "bob.approval", "--identity", "alice")
    assert refused.returncode != 0 and not (folder / "J.jsonl").exists(), refused.stdout + refused.stderr  # outside, no override
    late = _exec(folder, "bob.approval", "--identity", "alice", "--override-window", "the board said so")
    assert late.returncode == 0, late.stdout + late.stderr
    events = [json.loads(line) for line in (folder / "J.jsonl").read_text().splitlines()]
    assert [e["type"] for e in events if e["type"] in ("plan_approved", "window_override")] == ["window_override", "plan_approved"], events
    assert _cli(folder, "journal", "verify", "J.jsonl", "--allowed-signers", "allowed_signers").returncode == 0


def test_an_approval_naming_someone_its_key_is_not_given_to_is_refused(folder: Path) -> None:
    """carol (an approver) signs an approval that says `by: bob`, or bob approves without an allowed_signers file as the
    login `alice` (`approve` then names who is at the keyboard). Before, the run started and said `approved by bob` /
    `approved by alice` (the log, the timeline, the report's) while `journal verify` failed it afterwards."""
    settings = "approvers: [carol]\n"
    _made_anyway(folder, "carol", "bob", "carol.approval")
    ran = _exec(folder, "carol.approval", "--identity", "alice", settings=settings)
    carol = file_signer(str(folder / "carol")).fingerprint
    said = f"carol.approval: the approval says it is by bob, but it is signed by {carol}, a key allowed_signers gives to carol, not to bob\n"
    assert ran.returncode == 2 and said in ran.stderr, ran.stdout + ran.stderr
    assert not (folder / "J.jsonl").exists()
    unnamed = _cli(folder, "approve", "R.yaml", "-p", "version=1.2", "--identity", "bob", "-o", "unnamed.approval", "--solo", SOLO, stdin="yes\n")
    assert unnamed.returncode == 0 and "signing as alice with" in unnamed.stdout, unnamed.stdout + unnamed.stderr
    refused = _exec(folder, "unnamed.approval")
    assert refused.returncode == 2 and "the approval says it is by alice, but it is signed by" in refused.stderr, refused.stderr
    _made_anyway(folder, "carol", "carol", "carol.approval")
    ran = _exec(folder, "carol.approval", "--identity", "alice", settings=settings)
    assert ran.returncode == 0 and f"approved by carol with {carol}" in ran.stdout, ran.stdout + ran.stderr


@pytest.mark.forged_sequence
def test_an_approval_journaled_after_the_run_began_or_twice_is_impossible(folder: Path) -> None:
    """The approval a run starts under is journaled as it opens, before any step. alice runs unapproved, then slips bob's
    real approval of the same plan in after the step (or journals it twice), re-chaining and re-signing her own: `journal
    verify --allowed-signers` passed both (`signatures hold and the end is sealed`) and the report called the run approved."""
    assert _approve(folder, "bob").returncode == 0
    assert _exec(folder, "bob.approval", "--identity", "alice").returncode == 0
    events = [json.loads(line) for line in (folder / "J.jsonl").read_text().splitlines()]
    [approved] = [e for e in events if e["type"] == "plan_approved"]
    others = [e for e in events if e is not approved]
    finished = next(i for i, e in enumerate(others) if e["type"] == "step_finished")
    _write(folder / "late.jsonl", _rechained(folder, [*others[: finished + 1], approved, *others[finished + 1 :]]))
    at = approved["seq"]
    _write(folder / "twice.jsonl", _rechained(folder, [*events[: at + 1], dict(approved, seq=-1), *events[at + 1 :]]))
    for name, line in (("late.jsonl", finished + 2), ("twice.jsonl", at + 2)):
        said = f"line {line}: plan_approved after the run had begun (a step started, the session resumed, or an approval came before)"
        verified = _cli(folder, "journal", "verify", name, "--allowed-signers", "allowed_signers")
        assert verified.returncode == 1 and said in verified.stdout, verified.stdout
        # the signatures hold (alice re-signed), said; the verdict comes last (before: "signatures hold and the end is sealed")
        assert verified.stdout.splitlines()[-1] == f"{name}: NOT trusted: the impossible event above, whatever the signatures say", verified.stdout
        report = _cli(folder, "report", name)
        assert report.returncode == 2 and said in report.stderr, report.stdout + report.stderr
    assert _cli(folder, "journal", "verify", "J.jsonl", "--allowed-signers", "allowed_signers").returncode == 0


def test_resume_goes_on_only_with_an_approved_run_when_approval_is_required(folder: Path) -> None:
    """`require_approval: true`, and a run whose process died after its first step: `resume --continue` ran the rest of an
    unapproved run (one started where the setting was off, or a journal written by hand). Now it is refused before
    anything is journaled, saying why; `--rollback` still undoes it; an approved run goes on."""
    two_steps = _runbook() + "      - id: two\n        title: Two\n        run: echo two\n        undo: echo undo-two\n"
    (folder / "R.yaml").write_text(two_steps)
    assert _approve(folder, "bob").returncode == 0
    assert _exec(folder, "bob.approval", "--identity", "alice", journal="approved.jsonl").returncode == 0
    ran = _cli(folder, "exec", "R.yaml", "-p", "version=1.2", "--solo", "test", "--journal", "unapproved.jsonl", "--identity", "alice")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    for name in ("approved.jsonl", "unapproved.jsonl"):  # as the process left it, killed right after step one
        lines = (folder / name).read_text().splitlines(keepends=True)
        first = next(i for i, line in enumerate(lines) if json.loads(line)["type"] == "step_finished")
        (folder / name).write_text("".join(lines[: first + 1]))
    required = f"require_approval: true\nallowed_signers: {folder / 'allowed_signers'}\n"  # resume takes the settings' file
    refused = _cli(folder, "resume", "unapproved.jsonl", "--solo", "test", "--continue", settings=required)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    said = "unapproved.jsonl: this run started without an approved plan (no plan_approved in it), and require_approval: true in settings"
    assert said in refused.stderr and "resume --rollback undoes what it did" in refused.stderr, refused.stderr
    kinds = [json.loads(line)["type"] for line in (folder / "unapproved.jsonl").read_text().splitlines()]
    assert kinds[-1] == "step_finished" and kinds.count("step_started") == 1, kinds  # nothing journaled, step two never ran
    undone = _cli(folder, "resume", "unapproved.jsonl", "--rollback", "--solo", "test", settings=required)
    assert "without an approved plan" not in undone.stderr, undone.stderr
    assert "undo_finished" in (folder / "unapproved.jsonl").read_text(), undone.stdout + undone.stderr
    goes_on = _cli(folder, "resume", "approved.jsonl", "--solo", "test", "--continue", "--identity", "alice", settings=required)
    assert goes_on.returncode == 0, goes_on.stdout + goes_on.stderr
    assert "two started" in goes_on.stdout, goes_on.stdout


def test_a_run_that_has_not_ended_opens_its_report_without_the_signatures_banner(folder: Path) -> None:
    """A run stopped to be resumed has no seal over its end yet (it is sealed when it ends): the report's Summary says
    UNFINISHED, its Journal row and Signatures table say what `journal verify --allowed-signers` says; its first lines
    did not read `Signatures FAIL` as if someone had forged a decision (a shared run quit mid-way read so)."""
    (folder / "R.yaml").write_text(_runbook((-HOUR, HOUR)))
    assert _approve(folder, "bob").returncode == 0
    assert _exec(folder, "bob.approval", "--identity", "alice").returncode == 0
    lines = (folder / "J.jsonl").read_text().splitlines(keepends=True)
    ended = next(i for i, line in enumerate(lines) if json.loads(line)["type"] == "session_finished")
    (folder / "U.jsonl").write_text("".join(lines[:ended]))  # as a journal reads whose run stopped before its end
    report = _cli(folder, "report", "U.jsonl", "--allowed-signers", "allowed_signers").stdout
    assert "Signatures FAIL" not in report.split("## Summary")[0], report
    assert "UNFINISHED" in report and "with --allowed-signers it FAILS (1 signature problem, see Signatures)" in report, report
    assert "| end of the run | — | — | not sealed: " in report, report


def test_journal_verify_and_report_under_require_approval_fail_a_run_with_no_approval(folder: Path) -> None:
    """`require_approval: true` in the settings `journal verify` reads: a run that started without an approved plan (run
    where the setting was off, or its `plan_approved` cut out and re-signed by its assignee) passed, `signatures hold
    and the end is sealed`, exit 0, where `resume` refuses to go on with it. Now both say why it is not trusted, as the
    report does; an approved run still verifies, and without the setting nothing changes."""
    assert _approve(folder, "bob").returncode == 0
    assert _exec(folder, "bob.approval", "--identity", "alice", journal="approved.jsonl").returncode == 0
    ran = _cli(folder, "exec", "R.yaml", "-p", "version=1.2", "--solo", "test", "--journal", "unapproved.jsonl", "--identity", "alice")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    events = [json.loads(line) for line in (folder / "approved.jsonl").read_text().splitlines()]
    _write(folder / "cut.jsonl", _rechained(folder, [e for e in events if e["type"] != "plan_approved"]))
    required = f"require_approval: true\nallowed_signers: {folder / 'allowed_signers'}\n"
    settings = folder / "xdg-config" / "runbook-tui" / "settings.yaml"
    for name in ("unapproved.jsonl", "cut.jsonl"):
        assert _cli(folder, "journal", "verify", name, settings="{}\n").returncode == 0  # no policy, nothing more asked
        verified = _cli(folder, "journal", "verify", name, settings=required)
        assert verified.returncode == 1, verified.stdout + verified.stderr
        said = f"{name}: NOT trusted: this run started without an approved plan (no plan_approved in it), and require_approval: true in {settings}"
        assert verified.stdout.splitlines()[-1].startswith(said), verified.stdout
        unsigned = _cli(folder, "journal", "verify", name, settings="require_approval: true\n")  # the chain alone: the same verdict
        assert unsigned.returncode == 1 and said in unsigned.stdout, unsigned.stdout
        report = _cli(folder, "report", name, settings=required).stdout
        banner = "> **NOT trusted: `journal verify` fails it:** this run started without an approved plan"  # no signature's fault
        assert report.index(banner) < report.index("## Summary") and "Signatures FAIL" not in report, report
        assert "| 1 | plan approved | — | — | FAILS: this run started without an approved plan" in report, report
    approved = _cli(folder, "journal", "verify", "approved.jsonl", settings=required)
    assert approved.returncode == 0 and "NOT trusted" not in approved.stdout, approved.stdout
    assert "Signatures FAIL" not in _cli(folder, "report", "approved.jsonl", settings=required).stdout
    # the policy is read before anything is said of the journal, --allowed-signers given or not (never "intact", then exit 2)
    broken = _cli(folder, "journal", "verify", "approved.jsonl", "--allowed-signers", "allowed_signers", settings="require_approval: maybe\n")
    assert broken.returncode == 2 and broken.stdout == "", broken.stdout
    assert "require_approval: expected true or false" in broken.stderr, broken.stderr


def test_journal_verify_and_report_refuse_an_approval_by_someone_who_may_not_approve(folder: Path) -> None:
    """carol is in allowed_signers, neither the ticket's verifier nor under `approvers:`: `exec` refuses her approval. alice
    swapped bob's real approval in her journal for carol's, chain and her signatures made again: `journal verify
    --allowed-signers` said `signatures hold and the end is sealed`, exit 0, and the report `verified`. Now both fail it
    as `run` does; with carol under the settings' `approvers:` it holds."""
    assert _approve(folder, "bob").returncode == 0
    assert _exec(folder, "bob.approval", "--identity", "alice").returncode == 0
    events = [json.loads(line) for line in (folder / "J.jsonl").read_text().splitlines()]
    [honest] = [e for e in events if e["type"] == "plan_approved"]
    _made_anyway(folder, "carol", "carol", "carol.approval")
    made = json.loads((folder / "carol.approval").read_text())
    swap = {"statement": made["statement"], "signature": made["signature"], "key": made["key"], "principal": "carol"}
    _write(folder / "F.jsonl", _rechained(folder, events, {honest["seq"]: swap}))
    line = honest["seq"] + 1
    said = (
        f"F.jsonl: line {line}: the plan's approval fails: approved by carol, who may not approve this plan; it may be approved by bob"
        " (the ticket's verifier, and the names in approvers: in settings)"
    )
    verified = _cli(folder, "journal", "verify", "F.jsonl", "--allowed-signers", "allowed_signers")
    assert verified.returncode == 1 and said in verified.stdout, verified.stdout
    report = _cli(folder, "report", "F.jsonl", "--allowed-signers", "allowed_signers").stdout
    assert f"| {line} | plan approved | signed by carol |" in report and "FAILS: approved by carol, who may not approve" in report, report
    listed = _cli(folder, "journal", "verify", "F.jsonl", "--allowed-signers", "allowed_signers", settings="approvers: [carol]\n")
    assert listed.returncode == 0 and "signatures hold and the end is sealed" in listed.stdout, listed.stdout
    assert _cli(folder, "journal", "verify", "J.jsonl", "--allowed-signers", "allowed_signers").returncode == 0  # bob's holds


def test_the_reports_journal_row_says_why_journal_verify_fails_an_unapproved_run(folder: Path) -> None:
    """`require_approval: true` and a run with no approved plan: `journal verify` fails it with or without allowed
    signers, in its own words. The report's Journal row said `with --allowed-signers it FAILS (1 signature problem, see
    Signatures)` (no allowed signers given, and no signature at fault); now it says what `journal verify` says."""
    ran = _cli(folder, "exec", "R.yaml", "-p", "version=1.2", "--solo", "test", "--journal", "unapproved.jsonl", "--identity", "alice")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    settings = folder / "xdg-config" / "runbook-tui" / "settings.yaml"
    why = f"NOT trusted: this run started without an approved plan (no plan_approved in it), and require_approval: true in {settings}"
    for policy in ("require_approval: true\n", f"require_approval: true\nallowed_signers: {folder / 'allowed_signers'}\n"):
        assert why in _cli(folder, "journal", "verify", "unapproved.jsonl", settings=policy).stdout
        for form in ("md", "html"):
            report = _cli(folder, "report", "unapproved.jsonl", "--format", form, settings=policy).stdout
            row = next(line for line in report.splitlines() if "events, `journal verify`" in line or "<dt>Journal</dt>" in line)
            row = row.replace("\\_", "_").replace("<wbr>", "")  # markdown's escapes, html's break points
            assert f"passes the chain; {why}" in row and "signature problem" not in row, row
        html = _cli(folder, "report", "unapproved.jsonl", "--format", "html", settings=policy).stdout
        assert "<strong>NOT trusted: <code>journal verify</code> fails it:</strong> this run started" in html and "Signatures FAIL" not in html, html
