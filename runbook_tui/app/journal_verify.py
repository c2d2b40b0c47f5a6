"""`journal verify JOURNAL [--allowed-signers PATH]`: the hash chain and the event sequence, then every signature, who made it, and the seal.

The sequence (`engine.event_order`): each event against where the run stood, as the program decides before it writes
one; an impossible one is "line N: TYPE what was wrong". A journal rewritten whole, with its hashes recomputed and its
sequence kept possible (a solo run's, say), cannot be told from an honest one by its hashes alone: only a seal can.

Exit codes as the contract gives them: 0 intact (and, with allowed signers, every check holds), 1 tampered or
truncated (or a signature or the seal fails), 2 unreadable (the journal, the allowed_signers file or the settings).

The allowed_signers file is the one `--allowed-signers` names, else the settings' `allowed_signers:`; it is read
before anything is said about the journal: a missing or malformed one is exit 2 with nothing claiming "intact" (the
first line, the one a script or a change board reads, said "intact" about a check that then never ran).

`--received COPY` (repeatable): a participant's own copy of the events their `join` received (`received/SESSION-NAME.jsonl`
in their state folder). Whoever writes the journal can rewrite it whole and sign it again; what they cannot change is
the copy on the verifier's machine. Each event the copy holds must be the journal's event at that line (same hash),
and the journal at least as long: a run rewritten as solo, cut, or changed after the verifier saw it parts from the
copy at the line it was changed. The copy is read first, as the allowed signers are: one that cannot be read is exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from runbook_tui.app.settings import Settings, load_settings, settings_path
from runbook_tui.engine.event_order import EventOrder
from runbook_tui.engine.journal import JournalScan
from runbook_tui.engine.outcomes import EXIT_FAILED, EXIT_INVALID
from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.trust.allowed_signers import AllowedSigners
from runbook_tui.trust.run_trust import TrustRefused, allowed_signers

#: Impossible events said one by one; the rest are counted.
SAID = 50


def signers_file(given: str | None, settings: Settings) -> tuple[str | None, str]:
    """The allowed_signers file to check with (`--allowed-signers`, else the settings'; None: neither names one), and
    where it was named, in words."""
    if given is not None:  # (never empty: the command line refuses an empty name)
        return given, "given by --allowed-signers"
    return settings.allowed_signers, f"allowed_signers: in {settings_path()}"


def unapproved(path: str, settings: Settings) -> str | None:
    """Why the run `path` records breaks the settings' `require_approval: true` (it started without an approved plan),
    in words; None when it does not (approved, or no approval required). `resume` refuses to go on with such a run; a
    run that started without one under this policy ran where the setting was off, or its approval was cut out and the
    journal signed again by its assignee (before: `journal verify` said `signatures hold and the end is sealed`)."""
    from runbook_tui.trust.run_trust import UNAPPROVED, opening

    if not settings.require_approval:
        return None
    started, approved = opening(path)
    return f"{UNAPPROVED} {settings_path()}" if started is not None and approved is None else None


@dataclass(frozen=True, slots=True)
class Copy:
    """A participant's copy of the events received: its name, each event's hash by seq, and where its own chain broke."""

    name: str
    hashes: tuple[str, ...]
    broke: str | None


def read_copy(name: str) -> Copy | str:
    """The copy's hashes, read as a journal is (its chain checked: what follows a break is not compared); the reason
    in words when it cannot be read."""
    scan = JournalScan(name)
    hashes = tuple(str(event["hash"]) for event in scan)
    if scan.unreadable:
        return f"--received {scan.unreadable}"
    return Copy(name, hashes, scan.problems[0] if scan.problems else None)


def compare_copy(path: str, copy: Copy) -> str | None:
    """Print what the copy says of the journal; the difference in words (None: the journal holds the copy's events)."""
    shown, name, held = visible_line(path), visible_line(copy.name), len(copy.hashes)
    count = 0
    for count, event in enumerate(JournalScan(path, finished_rule=True), start=1):
        if count > held:
            break
        if event["hash"] != copy.hashes[count - 1]:
            return f"line {count} is not the event {name} holds there: the journal was changed from there after the session sent it (or the copy was)"
    else:
        if count < held:
            return f"the journal ends at line {count}; {name} holds {held} lines: lines the session sent were cut from the journal"
    if held:
        broke = f"; the copy's own chain breaks after them ({copy.broke})" if copy.broke else ""
        print(visible_line(f"{shown}: lines 1-{held} are the events {name} holds: what its holder's join received{broke}"))
    else:  # nothing to hold the journal to: said, with why (a copy torn in its first line), never taken for agreement
        print(visible_line(f"{shown}: {name} holds no whole event, nothing to compare" + (f" ({copy.broke})" if copy.broke else "")))
    return None


def cmd_journal_verify(path: str, signers_path: str | None = None, received: Sequence[str] = ()) -> int:
    settings = load_settings()  # the policy (who is who, who may approve, whether a run needs an approval), read first
    named, source = signers_file(signers_path, settings)
    try:
        signers = allowed_signers(named)
    except TrustRefused as exc:
        print(visible_line(f"runbook-tui: {exc} ({source})"), file=sys.stderr)  # a file's name may hold escapes
        return EXIT_INVALID
    copies = [read_copy(name) for name in received]
    for copy in copies:
        if isinstance(copy, str):
            print(visible_line(f"runbook-tui: unreadable: {copy}"), file=sys.stderr)
            return EXIT_INVALID
    result = JournalScan(path, finished_rule=True)
    order, impossible, more = EventOrder(), list[str](), 0
    for event in result:  # one line at a time: memory does not grow with the journal
        if (found := order.problem(event)) is not None:
            if len(impossible) < SAID:
                impossible.append(found)
            else:
                more += 1
    shown = visible_line(path)  # the name may hold escapes: shown, never sent to the terminal
    if result.unreadable:
        print(visible_line(f"runbook-tui: unreadable: {result.unreadable}"), file=sys.stderr)  # prefixed as every command says it
        return EXIT_INVALID
    for problem in impossible:  # the chain holds up to them: the journal was rewritten, its hashes recomputed
        print(visible_line(f"{path}: {problem}"))
    if more:
        print(f"{shown}: and {more} more impossible event{'' if more == 1 else 's'}")
    if impossible and not result.problems:
        count = len(impossible) + more
        print(
            f"{shown}: NOT intact: the hash chain holds ({result.count} events), but {count} event{' is' if count == 1 else 's are'}"
            " impossible where the run stood (no run writes them: rewritten, its hashes recomputed)"
        )
        _trust(path, signers, source, settings.approvers)  # what the signatures say of the rewrite (a moved decision, a forged seal): still said
        if signers is not None:  # the verdict last, whatever the signatures said (before: "signatures hold ..." ended it)
            print(f"{shown}: NOT trusted: the impossible event{'' if count == 1 else 's'} above, whatever the signatures say")
        return EXIT_FAILED
    if result.problems or result.last is None:
        for problem in result.problems:
            print(visible_line(f"{path}: {problem}"))
        held = f"{result.count} event holds" if result.count == 1 else f"{result.count} events hold"
        print(f"{shown}: NOT intact: {held} together before the break")
        return EXIT_FAILED
    print(f"{shown}: intact: {result.count} event{'' if result.count == 1 else 's'}, last hash {result.last['hash']}")
    if not result.finished:  # a chain cut at a line's end holds together: say what cannot be told apart without a seal
        print(
            f"{shown}: the session has not finished (no session_finished): still running, stopped (`runbook-tui resume` continues it), "
            "or lines cut off its end; only a seal (--allowed-signers) tells these apart"
        )
    differ = [(copy, why) for copy in copies if isinstance(copy, Copy) and (why := compare_copy(path, copy)) is not None]
    for _, why in differ:
        print(visible_line(f"{path}: {why}"))
    code = _trust(path, signers, source, settings.approvers)
    if differ:  # the verdict last, whatever the signatures said: they can all be made again by whoever wrote the file
        print(visible_line(f"{path}: NOT trusted: it is not what {differ[0][0].name} received, whatever the signatures say"))
        return EXIT_FAILED
    if (why := unapproved(path, settings)) is not None:  # the policy the settings hold, as `resume` applies it: said last, the verdict
        print(visible_line(f"{path}: NOT trusted: {why}, whatever the signatures say"))
        return EXIT_FAILED
    return code


def _trust(path: str, signers: AllowedSigners | None, source: str, approvers: Sequence[str]) -> int:
    from runbook_tui.trust.check import print_trust

    # Signatures name events by seq: this check holds the events in memory (only with allowed signers).
    events = list(JournalScan(path, finished_rule=True)) if signers else []
    return print_trust(path, events, signers, source, approvers)
