"""At 80x24 the run can be walked to a rollback with nothing scrolled but the output.

At every step the detail pane shows the whole command about to run and its
undo, the output pane keeps at least six lines and follows the newest one,
and the rollback list's action line (`y` / `f` / `escape`) is on screen
however long the list.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from run_screen_helpers import (
    make_app,
    painted,
    prepare_workdir,
    read_to_end,
    run_step,
    screen_is,
    settled,
    started,
    until,
)

from runbook_tui.ui.output_pane import OutputLog
from runbook_tui.ui.widgets import StepDetail

SMALL = (80, 24)
LONG_PATH = "/srv/app/releases/2026-12-01T22:22:10Z/config/app.yaml"

#: Long commands (they must wrap at spaces), undos, a step that fails, and many lines of output.
RUNBOOK = (
    f"""\
runbook: 1
id: small
title: A change walked in a laptop terminal
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - id: backup
        title: Back up the config
        run: echo cp -p {LONG_PATH} {LONG_PATH}.bak && seq 1 40
        undo: echo restore {LONG_PATH}.bak to {LONG_PATH}
        checkpoint: true
"""
    + "".join(
        f"""\
      - id: edit{n}
        title: Edit number {n} of the config with a long title that would not fit a narrow step list
        run: echo sed -i s/pool_size = {n}/pool_size = {n + 1}/ {LONG_PATH} && seq 1 30
        undo: echo sed -i s/pool_size = {n + 1}/pool_size = {n}/ {LONG_PATH}
"""
        for n in range(1, 9)
    )
    + """\
      - id: reload
        title: Reload
        run: echo reloading; echo failed >&2; exit 3
        undo: echo reload the old config
"""
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch, RUNBOOK)
    yield tmp_path


def _joined(text: str) -> str:
    """Painted lines joined back into one string of words (wrapping only moved words to the next line)."""
    return " ".join(text.split())


def _on_screen(widget: object, screen_size: tuple[int, int]) -> bool:
    region = widget.region  # type: ignore[attr-defined]
    return region.height > 0 and region.y >= 0 and region.bottom <= screen_size[1] and region.right <= screen_size[0]


def _assert_step_readable(app: object, step: str) -> None:
    controller = app.handle.controller  # type: ignore[attr-defined]
    detail = app.screen.query_one(StepDetail)  # type: ignore[attr-defined]
    shown = painted(detail)
    assert app.screen.query_one("#detail").max_scroll_y == 0, f"{step}: the detail pane scrolls:\n{shown}"  # type: ignore[attr-defined]
    plan = controller.state.plan_steps[step]
    for command in list(plan["run"].values()) + list((plan.get("undo") or {}).values()):
        assert _joined(command) in _joined(shown), f"{step}: {command!r} not whole on screen:\n{shown}"
    output = app.screen.query_one(OutputLog)  # type: ignore[attr-defined]
    assert output.scrollable_content_region.height >= 6, "fewer than six lines of output"


@pytest.mark.asyncio
async def test_at_80x24_command_undo_and_output_stay_on_screen_up_to_the_rollback(workdir: Path) -> None:
    app = make_app("runbook.yaml")
    async with app.run_test(size=SMALL) as pilot:
        controller = await started(pilot)
        steps = [sid for sid in controller.state.order]
        for step in steps[:-1]:
            await settled(pilot)
            _assert_step_readable(app, step)
            await run_step(pilot, step)
        await settled(pilot)
        _assert_step_readable(app, "reload")
        await run_step(pilot, "reload", "failed")
        await settled(pilot)
        output = app.screen.query_one(OutputLog)
        assert output.scroll_y == output.max_scroll_y, "the output stopped following"
        assert output.lines[-1] == "   ✗ local: exit code 3, expected 0"
        assert "'reload' FAILED (exit 3)" in " ".join(painted(app.screen.query_one("#status")).split())

        await pilot.press("u")
        modal = await screen_is(pilot, "RollbackModal")
        keys = modal.query_one("#dialog-keys")
        assert "y start this rollback" in painted(keys)
        assert _on_screen(keys, SMALL), f"the action line is off screen: {keys.region}"
        assert modal.query_one("#dialog-scroll").max_scroll_y > 0  # nine undos do not fit: the list scrolls, the keys stay
        await pilot.press("y")  # the list read only in part: y says to read it to its end (test_rollback_read_whole.py)
        await until(pilot, lambda: "Read it to its end first" in painted(keys), "y to ask for the rest of the list first")
        assert controller.state.rollback is None and type(app.screen).__name__ == "RollbackModal"
        await read_to_end(pilot)
        await pilot.press("y")
        await screen_is(pilot, "RunScreen")

        def rollback_done() -> bool:
            return controller.state.rollback is not None and controller.state.rollback.finished and not controller.busy

        await until(pilot, rollback_done, "the rollback to finish", seconds=120)
        await settled(pilot)
        assert output.scroll_y == output.max_scroll_y, "the output stopped following through the rollback"
        assert output.lines[-1] == "── rollback finished"  # the newest line, and the view is at the end (above)


@pytest.mark.asyncio
async def test_scrolling_up_stops_following_and_end_follows_again(workdir: Path) -> None:
    app = make_app("runbook.yaml")
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        await run_step(pilot, "backup")
        await settled(pilot)
        output = app.screen.query_one(OutputLog)
        await pilot.press("pageup")
        await pilot.pause()
        assert not output.following
        top = output.scroll_y
        await run_step(pilot, "edit1")
        await settled(pilot)
        assert output.scroll_y == top, "new output moved the view the person scrolled to"
        assert "new lines — end to follow" in str(output.border_title)
        await pilot.press("end")
        await pilot.pause()
        assert output.following and output.scroll_y == output.max_scroll_y
        assert str(output.border_title) == "output"


@pytest.mark.asyncio
async def test_a_resized_terminal_lays_the_run_out_again_at_its_new_size(workdir: Path) -> None:
    """The run screen skips the Resizes Textual sends it for the size it is already laid out at: a new size still counts."""
    app = make_app("runbook.yaml")
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await settled(pilot)
        screen = app.screen
        steps, output = screen.query_one("#steps"), screen.query_one(OutputLog)
        assert steps.display and output.region.right == 140 and output.region.bottom < 45

        await pilot.resize_terminal(*SMALL)
        await until(pilot, lambda: screen.outer_size == SMALL and output.region.right == SMALL[0], "the 80x24 layout")
        assert screen.has_class("narrow", "short") and steps.region.width == 0, "the step list stays at 80 columns"
        assert output.region.bottom < SMALL[1] and output.scrollable_content_region.height >= 6
        detail = screen.query_one("#detail")
        await until(pilot, lambda: detail.styles.inline.has_rule("max_height"), "the short screen's cap on the detail pane")

        await pilot.resize_terminal(140, 45)
        await until(pilot, lambda: screen.outer_size == (140, 45) and output.region.right == 140, "the 140x45 layout again")
        assert not screen.has_class("narrow") and not screen.has_class("short") and steps.region.width > 0
        # Tall again, the stylesheet's cap holds: the short screen's own cap is cleared (a tall pane kept to 80x24's rows).
        await until(pilot, lambda: not detail.styles.inline.has_rule("max_height"), "the detail pane's short cap cleared")


def test_the_panes_own_lines_wrap_between_words_and_output_wraps_as_printed() -> None:
    """At 80 columns a narrated line (a decision, the share port refusing connections) broke inside words
    (`…connections wai` / `↪ ting to…`); a command's output must still wrap where the width ends, character for character."""
    from runbook_tui.ui.output_pane import CONTINUED, _wrap

    said = "!! share port: 1 connection refused, one address holds as many connections waiting to authenticate as one may"
    lines = _wrap(said, 60, words=True)
    assert lines == [
        "!! share port: 1 connection refused, one address holds as",
        CONTINUED + "many connections waiting to authenticate as one may",
    ]
    assert all(len(line) <= 60 for line in lines)
    token = "local │ " + "A1b2" * 30
    printed = _wrap(token, 60)
    assert printed[0] == token[:60] and "".join(p.removeprefix(CONTINUED) for p in printed) == token, "output keeps every character"
    assert _wrap("x" * 130, 60, words=True) == ["x" * 60, CONTINUED + "x" * 56, CONTINUED + "x" * 14], "no space: cut at the width"


def test_a_narrated_line_of_a_megabyte_wraps_in_linear_time() -> None:
    """An edited journal's 7 MB note, replayed: each wrapped piece measured and copied the whole rest of the line, so
    500 KB took 40 s and the replay never drew. Cut by position now (the same pieces: tests compare them)."""
    from runbook_tui.ui.output_pane import CONTINUED, _wrap

    began = time.monotonic()
    lines = _wrap("word " * 200_000, 80, words=True)
    assert time.monotonic() - began < 5, "a 1 MB line took more than 5 s to wrap"
    assert lines[0] == ("word " * 16).rstrip() and lines[1] == CONTINUED + ("word " * 15).rstrip() and len(lines) == 13334


#: A shared run's foot at 80 columns: the address and host key (two rows), then the journal's row.
SHARE_NOTE = "shared at 127.0.0.1:2299, host key SHA256:sWJSoVd+mdbd8rY/E2AVDvqect1yKbTBSuTB58dz4E8"

#: A guard panel, and a step whose commands fill the detail pane (a rolling group step's, one per host, reads so).
PANELS_RUNBOOK = (
    """\
runbook: 1
id: small-shared
title: A shared change with a guard, in a laptop terminal
metrics:
  source:
    scrape: {url: "http://127.0.0.1:9/metrics"}
  interval: 1s
  panels:
    - {id: errors, title: Error rate, query: app_errors_percent, unit: "%", warn: 1, critical: 5, on_critical: notify}
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - id: roll
        title: Raise the worker limit on each web host
        run: >-
"""
    + "".join(f"          echo raising on web{n}; sleep 0; case web{n} in web3) echo bad worker_connections; exit 3;; esac;\n" for n in range(1, 7))
    + """\
        undo: echo revert
"""
)


@pytest.mark.asyncio
async def test_at_80x24_a_shared_runs_foot_leaves_the_guard_panel_in_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: at 80x24 the share foot (address and host key, 3 rows with the journal's) left the column too short for
    the detail pane's 55 %, the output's 7 rows and the metric area: the area went below the column's foot, its rule
    drawn and no panel, so the assignee lost the guard's value while a long step ran (the verifier, with a shorter foot,
    saw it). Now the detail pane gives way (it scrolls, and its title says how many lines are hidden)."""
    from runbook_tui.app.session import Session

    prepare_workdir(tmp_path, monkeypatch, PANELS_RUNBOOK)
    monkeypatch.setattr(Session, "share_note", property(lambda _self: SHARE_NOTE))
    app = make_app("runbook.yaml")
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        await settled(pilot)
        assert "SHA256:sWJSoVd" in painted(app.screen.query_one("#share-note"))
        right, metrics = app.screen.query_one("#right"), app.screen.query_one("#metrics")
        assert metrics.region.height >= 2 and metrics.region.bottom <= right.region.bottom, (
            f"the metric area {metrics.region} is not inside the column {right.region}"
        )
        panel = metrics.query("MetricPanel").first()
        assert panel.region.height >= 1 and panel.region.bottom <= right.region.bottom, f"the guard panel {panel.region} is cut off"
        head = panel.query_one(".panel-head")
        await until(pilot, lambda: "Error rate" in painted(head), "the guard panel's row drawn")
        output = app.screen.query_one(OutputLog)
        assert output.region.bottom <= metrics.region.y and output.scrollable_content_region.height >= 6
        assert "more lines" in str(app.screen.query_one("#detail").border_title), "the cut detail pane says so"


def test_a_host_name_the_pane_narrates_breaks_after_a_dot_or_hyphen() -> None:
    """Walked at 80x24: `k` on 50 hosts of long names, the log's `✗ 50 hosts: stopped by alice (web01-…` broke inside
    a label (`…eu-west-1a.internal` / `↪ .payments.example.com, web02-…payme` / `↪ nts.example.com`); with no space in
    a piece's second half it breaks after its last dot or hyphen there, and every character stays."""
    from runbook_tui.ui.output_pane import CONTINUED, _wrap

    names = ", ".join(f"web{n:02d}-frontend-production-eu-west-1a.internal.payments.example.com" for n in (1, 2, 3))
    said = f"   ✗ 50 hosts: stopped by alice ({names} and 47 more)"
    lines = _wrap(said, 76, words=True)
    assert all(len(line) <= 76 for line in lines), lines
    assert all(line.endswith((".", "-", ",")) for line in lines[:-1]), lines  # each row ends a label (or a name)
    rest = [line.removeprefix(CONTINUED) for line in lines[1:]]
    assert "".join(line if line.endswith((".", "-")) else line + " " for line in [lines[0], *rest]).strip() == said.strip(), lines
