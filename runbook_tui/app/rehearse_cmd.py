"""`rehearse FILE`: the runbook's real commands forward, then its rollback, on the hosts it names, after a yes; the
prechecks again at the end say whether the rollback restored the state."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from runbook_tui.app.headless import open_loaded, refuse_manual, run_headless, say, say_outcome, start_or_exit
from runbook_tui.app.session import Session, load, operator_name
from runbook_tui.engine.autopilot import Policy
from runbook_tui.engine.outcomes import EXIT_FAILED, EXIT_INVALID, EXIT_OK
from runbook_tui.engine.rollback import nothing_to_roll_back
from runbook_tui.runbook.safe_text import visible_line

REHEARSE_WARNING = "rehearse runs the REAL commands of this runbook, forward and then its undo, on the hosts it names"


def cmd_rehearse(
    file: str, params: dict[str, Any], *, fail_at: str | None, journal: str | None, yes: bool = False, ack_manual: str | None = None, trust: Any = None
) -> int:
    """`trust` (RunTrust): the assignee's key and the approval asked for (`--approval`, or `require_approval: true`):
    a rehearsal runs the real commands on the real hosts, so an approval a run needs, it needs too; checked before asking."""
    loaded = start_or_exit(lambda: load(file, params))
    if isinstance(loaded, int):
        return loaded
    refusal = refuse_manual(file, loaded.runbook, ack_manual, "rehearse")
    if refusal is not None:
        return refusal
    from runbook_tui.engine.rehearsal import fail_at_problem  # rehearse only (the other commands start without it)

    problem = fail_at_problem(loaded.runbook, fail_at)
    if problem is not None:  # before the question and before the journal: nothing is asked, written or run
        print(visible_line(f"runbook-tui: {problem}"), file=sys.stderr)
        return EXIT_INVALID
    from runbook_tui.app.approved import approved
    from runbook_tui.app.plan_connections import destinations, plan_text  # rehearse only: it reads the ssh config
    from runbook_tui.app.settings import load_settings

    settings, asking = load_settings(), not yes and sys.stdin.isatty() and sys.stdout.isatty()
    checked = start_or_exit(lambda: approved(trust, loaded.runbook, settings, operator_name(), live=False))
    if isinstance(checked, int):
        return checked  # said why (which part of the plan differs, or that an approval is required); nothing was run
    from runbook_tui.engine.journal_file import new_journal_problem

    if journal is not None and (taken := new_journal_problem(Path(journal))) is not None:  # said before the question
        print(visible_line(f"runbook-tui: {taken}"), file=sys.stderr)
        return EXIT_INVALID
    if asking:  # the commands the yes is about, as `plan` shows them (a script's --yes sees each as it runs)
        say(plan_text(loaded.runbook, settings))
    say(f"{REHEARSE_WARNING}: {', '.join(destinations(loaded.runbook, settings)) or 'local only'}")
    if not yes:
        if not asking:
            print("runbook-tui: rehearse: pass --yes to run the real commands without a terminal to ask in; nothing was run", file=sys.stderr)
            return EXIT_INVALID
        try:
            answer = input("Run them now? Type yes: ")
        except (EOFError, KeyboardInterrupt):
            print(file=sys.stderr)  # what follows on a line of its own, not after the prompt's ^C
            answer = ""
        if answer.strip().lower() != "yes":
            print("rehearse: nothing was run", file=sys.stderr)
            return EXIT_FAILED
    policy = Policy(ack_manual=ack_manual, command="rehearse")

    async def main() -> int:
        session = start_or_exit(lambda: open_loaded(loaded, mode="rehearsal", solo="rehearsal", journal=journal, trust=trust))
        if isinstance(session, int):
            return session
        return await run_headless(session, lambda s: rehearse_run(s, fail_at, policy), "rehearse", lambda _s: None)

    return asyncio.run(main())


async def rehearse_run(session: Session, fail_at: str | None, policy: Policy) -> int:
    def forward_ended(outcome: str) -> None:
        if fail_at is None and outcome != "done":
            say(f"rehearsal: the forward run did not complete ({outcome}); rolling back what ran")
        elif fail_at is not None and session.controller.state.steps[fail_at].attempts == 0:  # a real failure came first
            at = f" at '{current}'" if (current := session.controller.state.current) else ""
            said = f"rehearsal: the forward run ended ({outcome}){at} before it reached '{fail_at}' (--fail-at); rolling back from there"
            say(visible_line(said))

    from runbook_tui.engine.rehearsal import checks_words, rehearse

    done = await rehearse(session.controller, session.actor, fail_at, policy, forward_ended=forward_ended)
    runbook = session.controller.runbook
    if done.nothing is not None:
        say(visible_line(f"rehearsal: forward {done.forward_seconds:.1f}s; {nothing_to_roll_back(done.nothing)}: no rollback was rehearsed; what ran stands"))
        return EXIT_FAILED
    say(f"rehearsal: forward {done.forward_seconds:.1f}s, rollback ({done.scope}) {done.rollback_seconds:.1f}s, {checks_words(runbook, done.prechecks_ok)}")
    if kept := [sid for sid in session.controller.state.order if session.controller.state.steps[sid].not_rolled_back]:  # the report's words
        say(visible_line(f"rehearsal: not rolled back (no undo), their changes stand: {', '.join(kept)}"))  # "restored" alone hid them
    say("rehearsal: rollback restored state" if done.restored else "rehearsal: rollback did NOT restore state")
    return EXIT_OK if done.restored else EXIT_FAILED


async def rehearsal_end(session: Session, *, rerun: bool) -> int:
    """resume --continue of a rehearsal whose rollback finished before the process died: the prechecks again and the
    end, as rehearse does after its rollback (before: the forward run again, ending `done`). A precheck left unknown
    is re-run by the recheck with --rerun; without a decision nothing runs."""
    from runbook_tui.engine.rehearsal import checks_words, recheck_and_finish

    controller, state = session.controller, session.controller.state
    if state.current is not None and state.steps[state.current].status == "unknown" and not rerun:
        return say_outcome(session, "undecided")
    rollback = state.rollback
    assert rollback is not None
    say(f"rehearsal: its rollback ({rollback.scope}) had {'finished' if rollback.ok else 'STOPPED at a failed undo'} before the program stopped; "
        "the prechecks run again and the rehearsal ends (nothing runs forward again)")  # fmt: skip
    prechecks_ok = await recheck_and_finish(controller, session.actor, bool(rollback.ok))
    restored = bool(rollback.ok) and prechecks_ok
    say(f"rehearsal: rollback ({rollback.scope}), {checks_words(controller.runbook, prechecks_ok)}")
    say("rehearsal: rollback restored state" if restored else "rehearsal: rollback did NOT restore state")
    return EXIT_OK if restored else EXIT_FAILED
