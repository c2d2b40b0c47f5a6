"""A practice run's results as Markdown, for the trainer (`replay --practice --out FILE`)."""

from __future__ import annotations

from collections.abc import Sequence

from runbook_tui.engine.event_words import status_words
from runbook_tui.engine.history_model import Move
from runbook_tui.engine.practice_results import DecisionPoint, Results, answer_words
from runbook_tui.report.markdown import esc, para, table
from runbook_tui.report.text import unknown_kinds
from runbook_tui.runbook.durations import format_duration
from runbook_tui.runbook.safe_text import visible


def decision_words(decision: Move | None, missing: str) -> str:
    """`roll back (checkpoint) at 17:03:46`, or `missing` when there was no decision."""
    if decision is None:
        return missing
    said = status_words(decision.detail) if decision.kind == "finish" else decision.detail  # the outcome, as every view says it
    detail = f" ({said})" if decision.detail and decision.kind in ("roll back", "finish") else ""
    if decision.answer is not None and not decision.driver:  # an `ask`: the answer is the decision (exec's stand-in is none)
        detail = f", answered {answer_words(decision.answer)}"
    return f"{decision.kind}{detail}"


#: A decision as done, for a sentence (`you re-ran, the night rolled back to the checkpoint`: the kinds are the verbs of
#: the table's cells, `re-run` / `roll back (checkpoint)`, and read `you re-run, the night roll back (checkpoint)`).
_DONE = {
    "run": "ran", "re-run": "re-ran", "skip": "skipped", "mark done": "marked it done", "roll back": "rolled back",
    "accept unmet criteria": "accepted the unmet criteria", "decline rollback": "declined the rollback", "pause": "paused",
    "resume": "resumed", "finish": "finished",
}  # fmt: skip
_SCOPE = {"checkpoint": " to the checkpoint", "full": " in full"}


def done_words(decision: Move | None) -> str:
    """`rolled back to the checkpoint`, `re-ran`, `finished (ROLLED BACK)`, `ran, answered "1.2"`: what was done, in a sentence."""
    if decision is None:
        return "did not get here"
    done = _DONE.get(decision.kind, decision.kind)
    if decision.kind == "roll back":
        return done + _SCOPE.get(decision.detail, f" ({decision.detail})" if decision.detail else "")
    return done + decision_words(decision, "").removeprefix(decision.kind)


def seconds(decision: Move | None) -> str:
    """How long it took to decide; `— (exec)` for a move the night's program made by its policy (not timed)."""
    if decision is not None and decision.driver:
        return f"— ({decision.driver})"
    return "—" if decision is None else format_duration(decision.seconds)


def verdict(point: DecisionPoint) -> str:
    if point.same:
        return "same"
    if point.passed:
        return "did not arise"
    return "not reached" if point.trainee is None else "**different**"


def trainee_missing(point: DecisionPoint) -> str:
    """What the trainee's side says where they made no decision at this point."""
    return "did not arise" if point.passed else "did not get here"


#: The trainee's decisions whose reason is theirs to give and the trainer's to read (the night's is in why it matters).
_REASONED = frozenset({"mark done", "decline rollback", "skip", "accept unmet criteria"})


def trainee_words(point: DecisionPoint) -> str:
    """The trainee's decision at `point`, with the reason they gave where it asks one: how they checked before marking
    done (what `d` practises), why they declined the rollback request or skipped; the trainer reads it beside the
    night's (before, a decline or a skip read `decline rollback` alone: the reason typed at `x` was nowhere)."""
    trainee = point.trainee
    words = decision_words(trainee, trainee_missing(point))
    return f"{words}: {trainee.detail}" if trainee is not None and trainee.kind in _REASONED and trainee.detail else words


def night_said(results: Results) -> str:
    """What the night was, where it was no live run: ' The night was a dry run: …' (or "")."""
    return " The night was a dry run: nothing ran, its outputs say what would have." if results.night_mode == "dry-run" else ""


def played_back(results: Results) -> str:
    """Who the played-back verifier is (a solo night's read `—`, as if a name were missing)."""
    return results.verifier or "none, the night had no verifier"


def unknown_notice(unknown: Sequence[tuple[str, str, str]]) -> str:
    """What the trainee reads before the first step, and the trainer in the results, when the night's journal holds events
    of a kind this version does not know (`Results.unknown`), or "" (none)."""
    kinds = unknown_kinds(unknown)
    return (
        f"{kinds}: a newer version wrote the night's journal; practice plays back only what this version knows, so what they record is not in this practice"
        if kinds
        else ""
    )


def endings(results: Results) -> str:
    """`The night ended ROLLED BACK; your run ended done.`: how both runs ended ("" when the night's journal ends open)."""
    if results.night_ended is None:
        return ""
    yours = f"ended {results.you_words}" if results.you_ended else "did not end (you left before its end)"
    return f"The night ended {results.night_words}; your run {yours}."


def score_line(results: Results) -> str:
    same, total = results.score
    score = f"{same} of {total} decisions as on the night"
    if results.passed:
        score += f" ({results.passed} more did not arise in practice)"
    if not results.timed:
        return score
    over = "the decision you both made" if results.timed == 1 else f"the {results.timed} decisions you both made"
    return f"{score}; time to decide over {over}: you {format_duration(results.trainee_seconds)}, the night {format_duration(results.night_seconds)}"


def render(results: Results, journal: str, trainee: str) -> str:
    out = [f"# Practice results: {esc(journal)}", ""]
    if notice := unknown_notice(results.unknown):
        out += [f"> **Warning:** {esc(notice)}", ""]
    if results.scenario:
        out += ["**Scenario**", "", para(results.scenario), ""]
    played = f"Trainee: {esc(trainee)}; the verifier played back: {esc(played_back(results))}.{esc(night_said(results))}"
    out += [played, "", f"**Score:** {esc(score_line(results))}", ""]
    if endings(results):
        out += [f"**Ended:** {esc(endings(results))}", ""]
    rows = [
        (str(number), esc(point.step or "—"), esc(decision_words(point.night, "—")), esc(trainee_words(point)),
         f"{seconds(point.night)} / {seconds(point.trainee)}", verdict(point), esc(point.why))
        for number, point in enumerate(results.points, 1)
    ]  # fmt: skip
    out += table(["#", "Step", "On the night", "You", "Time (night / you)", "", "Why it matters"], rows)
    return visible("\n".join(out) + "\n")  # the night's reasons and the scenario are hostile text: shown, never obeyed
