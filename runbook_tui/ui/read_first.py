"""A command is read whole before the key that runs it (or lets it run) counts.

At 80x24 the detail pane holds about eight lines: a taller step is cut there, its title saying `▼ N more lines: v
shows all`, and the keys that start a command acted at once anyway: an `rm -rf` on the command's ninth line ran on the
assignee's enter, and on the verifier's `c` go-ahead, neither having seen it. Now, when the pane does not show the
current step's title, command and undo whole (it cuts them, or it shows another step, looked at with ↑↓), the key
opens the step whole first: what runs, where, and its undo, the same dialog for the assignee and the verifier; `y`
there does what the key would have done, and only once the dialog's end has been in view (`ConfirmPrompt`'s
`read_to_end`). A step the pane shows whole runs on the key, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widget import Widget

from runbook_tui.engine.actors import Actor, Reply
from runbook_tui.engine.controller import Controller
from runbook_tui.engine.left_out import every_host_left_out
from runbook_tui.engine.mark_done import may_still_run
from runbook_tui.engine.state import RunState
from runbook_tui.runbook.model import Step
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.enter_keys import enter_action, enter_words, ran_before
from runbook_tui.ui.modals import ConfirmPrompt
from runbook_tui.ui.run_prompts import run_dialog, where_it_runs
from runbook_tui.ui.step_whole import acknowledgement
from runbook_tui.ui.widgets import DetailScroll, StepDetail


def pane_shows_whole(screen: Screen[Any], step_id: str | None) -> bool:
    """Whether the detail pane shows `step_id` with its title, command and undo all in view (the lines after them, its
    outcome and hosts, may be cut: the key's effect is the command), every host's command too (the pane shows the first of
    sixty that differ, ui/host_commands.py). Measured against the rows the pane grows to (its
    height follows its text up to its cap), not those it has: a key right after the step came, before the pane had grown
    from the last step's two lines, found a ten-line step cut that the next frame showed whole."""
    pane, detail = screen.query_one(DetailScroll), screen.query_one(StepDetail)
    if step_id is None or detail.head is None or detail.head_of != step_id or detail.abridged or round(pane.scroll_y) or not isinstance(pane.parent, Widget):
        return False
    cap = pane.styles.max_height
    rows = int(cap.resolve(pane.parent.size, screen.app.size)) - pane.styles.gutter.height if cap else pane.scrollable_content_region.height
    console = screen.app.console
    return len(console.render_lines(detail.head, console.options.update_width(max(detail.size.width, 1)), pad=False)) <= rows


#: What the dialog says first, above the step: why it shows (the key did not run it at once).
LEAD = "The step pane does not show all of this step now: this is what runs, where, and its undo."


def read_first(
    state_now: Callable[[], RunState], step_id: str, title: str, yes: str, then: Callable[[], None], say: Callable[[Reply], None]
) -> tuple[ConfirmPrompt, Callable[[bool | None], None]]:
    """The step whole as it will run (on the hosts the key runs it on), `y` to `yes`, and what the answer does: `then`,
    unless the step is no longer the current one or what it runs changed while the dialog was open (said by `say`)."""
    shown = where_it_runs(state_now(), step_id)
    prompt = ConfirmPrompt(title, acknowledgement(LEAD, shown), yes, read_to_end=True)

    def answered(ok: bool | None) -> None:
        if not ok:
            return
        now = state_now()
        if now.current != step_id or where_it_runs(now, step_id) != shown:
            say(Reply(False, f"'{visible_line(step_id)}' changed while it was shown (the run moved on): nothing was done; press the key again to see it now"))
            return
        then()

    return prompt, answered


def laid_out(screen: Screen[Any]) -> bool:
    """Whether the detail pane has been laid out: before the screen's first layout it has no size, and a key handled
    then (an enter typed as the run opened, 4 s after start on a loaded machine) measured a one-line step as cut."""
    pane = screen.query_one(DetailScroll)
    laid = bool(screen.query_one(StepDetail).size.width and isinstance(pane.parent, Widget) and pane.parent.size.height)
    # A resize not laid out yet (the app takes the new size at once, its screens 1/120 s later): a key then was judged
    # from the old layout (whole at 140x45, an enter in the read that shrank it to 80x24 ran a step the new pane cuts).
    return laid and screen.outer_size == screen.app.size


#: Frames a key waits for the layout before it is judged from what is there (a resize is laid out within two).
LAYOUT_WAITS = 10


def wait_for_layout(screen: Screen[Any], waited: int, again: Callable[[], None]) -> bool:
    """Whether the key waits: the pane is not laid out for the terminal's size now, and it has waited `waited` frames of
    LAYOUT_WAITS; `again` is called after the next frame (or, the resize still to come, the next 1/60 s)."""
    if waited >= LAYOUT_WAITS or laid_out(screen):
        return False
    if screen.outer_size != screen.app.size:
        screen.set_timer(1 / 60, again)
    else:
        screen.call_after_refresh(again)
    return True


def enter_key(screen: Screen[Any], controller: Controller, actor: Actor, say: Callable[..., None], waited: int = 0) -> None:
    """The assignee's enter on the current step: it runs (or asks its go-ahead, its acknowledgement, its answer, which
    show the step themselves), unless the pane does not show it whole: then the step whole first, and `y` runs it.
    Before the pane is laid out (for the terminal's size now) the key waits for it (`wait_for_layout`). `say(reply,
    quiet=...)`: the screen's word on the reply."""
    if wait_for_layout(screen, waited, lambda: enter_key(screen, controller, actor, say, waited + 1)):
        return
    app, step = screen.app, controller.current_step()
    if step is None:
        return
    pane_whole = pane_shows_whole(screen, step.id)
    state = controller.state
    starts = enter_action(state) in ("run_step", "rerun_step") and not every_host_left_out(state, step.id)
    # An acknowledgement comes first anyway (`confirm:`, or a step that may still run after a crash): it shows the step
    # whole, read to its end (run_dialog): one dialog, not two (the second said only what the first had).
    acknowledged = step.confirm is not None or may_still_run(state, step.id) is not None
    starts = starts and state.mode not in ("dry-run", "practice")  # nothing runs there: the key goes on as it always did
    if pane_whole or step.kind != "run" or acknowledged or not starts:
        _run(app, controller, actor, step, say)
        return
    yes = enter_words(state).removeprefix("enter ")
    title = f"{'Re-run' if ran_before(state) else 'Run'} '{step.id}'"
    asked = read_first(lambda: controller.state, step.id, title, yes, lambda: _run(app, controller, actor, step, say), say)
    app.push_screen(*asked)


def _run(app: App[Any], controller: Controller, actor: Actor, step: Step, say: Callable[..., None]) -> None:
    reply = controller.run_current(actor)
    if reply.ok or step.kind not in ("run", "note", "wait", "ask"):
        say(reply, quiet=True)
        return
    dialog = run_dialog(controller, actor, step, reply, lambda said: say(said, quiet=True))
    if dialog is None:
        say(reply)
    else:
        app.push_screen(*dialog)
