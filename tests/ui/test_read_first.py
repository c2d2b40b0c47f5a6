"""A command is read whole before the key that runs it, or lets it run, counts: the assignee's enter and the
verifier's `c` go-ahead, at 80x24 and 140x45.

Walked in tmux at 80x24: a step whose `run:` has ten lines, its `rm -rf` on the ninth, showed six of them in the detail
pane (`▼ 5 more lines: v shows all`); bob's `c` gave the go-ahead and alice's enter ran it at once, neither having seen
the `rm -rf`. Now, where the pane does not show the step's title, command and undo whole, the key opens the step whole
first (the same dialog on both screens), and `y` does what the key would have done, only once the dialog's end has been
in view. At 140x45 the pane shows it whole and the key acts at once, as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from run_screen_helpers import (
    FakeClient,
    burst,
    make_app,
    of_kind,
    painted,
    prepare_workdir,
    read_to_end,
    screen_is,
    settled,
    shared_session_events,
    started,
    until,
)
from textual.events import Resize
from textual.geometry import Size

from runbook_tui.ui.modals import ConfirmPrompt
from runbook_tui.ui.read_first import LEAD
from runbook_tui.ui.verifier_app import VerifierApp

BOTH = pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])


def _runbook(lines: int, verify: str = "none", confirm: str = "") -> str:
    """One step whose command has `lines` lines, the `rm -rf` last but one (the victim folder is in the working one)."""
    body = "\n".join(f"          echo line{n}" for n in range(1, lines - 1))
    ack = f"\n        confirm: {confirm}" if confirm else ""
    return f"""\
runbook: 1
id: tall
title: A tall command
ticket: {{id: CHG-7, subject: tall, assignee: alice, verifier: bob, risk: {{level: high, summary: deletes}}}}
sections:
  - id: main
    title: Main
    kind: implement
    steps:
      - id: clean
        title: Clean up old files
        verify: {verify}{ack}
        run: |
{body}
          rm -rf victim
          echo done
        undo: echo undo
      - {{id: after, title: After, run: echo after, verify: none}}
"""


def _dialog_text(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return "\n".join(painted(widget) for widget in screen.query("#dialog-body, #dialog-keys"))


@pytest.mark.asyncio
async def test_enter_y_typed_in_one_burst_runs_nothing_from_a_dialog_not_yet_painted(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`tmux send-keys Enter y` (or a lagging SSH link): the y waited for the dialog enter opened, and, the command
    fitting in it, ran the step from a dialog never drawn. Now it is not used, with a bell and a word; a y pressed once
    the dialog shows runs the step."""
    prepare_workdir(workdir, monkeypatch, _runbook(10))
    (workdir / "victim").mkdir()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        burst(app, "enter", "y")
        await screen_is(pilot, "ConfirmPrompt")
        said = "Not used, pressed before this screen showed: y."
        await until(pilot, lambda: any(said in str(n.message) for n in app._notifications), "the unused y said")
        await settled(pilot)
        assert type(app.screen).__name__ == "ConfirmPrompt", "the dialog stays open, its y not used"
        assert not of_kind("j.jsonl", "step_started") and (workdir / "victim").exists(), "the y typed ahead ran nothing"
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["clean"].status == "done", "'clean' to run on a y pressed once it showed")


@pytest.mark.asyncio
@BOTH
async def test_enter_on_a_step_the_pane_cuts_shows_it_whole_first(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    prepare_workdir(workdir, monkeypatch, _runbook(10))
    (workdir / "victim").mkdir()
    app = make_app()
    async with app.run_test(size=size) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        pane_cut = "more lines: v shows all" in str(app.screen.query_one("#detail").border_title)
        assert pane_cut == (size == (80, 24)), app.screen.query_one("#detail").border_title  # the pane's own word
        await pilot.press("enter")
        if size == (140, 45):  # the pane shows all ten lines: enter runs it at once, as before
            await until(pilot, lambda: controller.state.steps["clean"].status == "done", "'clean' to run on enter")
            return
        prompt = await screen_is(pilot, "ConfirmPrompt")
        shown = _dialog_text(app)
        assert prompt.title_text == "Run 'clean'" and LEAD.split(":")[0] in shown.replace("\n", " "), shown
        assert "rm -rf victim" in shown and "echo undo" in shown and "y run it · n / escape cancel" in shown, shown
        assert not of_kind("j.jsonl", "step_started") and (workdir / "victim").exists(), "nothing runs before y"
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["clean"].status == "done", "'clean' to run on y")
        assert not (workdir / "victim").exists()


@pytest.mark.asyncio
async def test_y_counts_once_the_end_has_been_in_view(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forty lines at 80x24: taller than the dialog too. y first says to read to the end; after `end`, y runs it."""
    prepare_workdir(workdir, monkeypatch, _runbook(40))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await pilot.press("enter")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: "Read it to its end first" in _dialog_text(app), "y to say the end was not read")
        assert isinstance(app.screen, ConfirmPrompt) and not of_kind("j.jsonl", "step_started")
        await read_to_end(pilot)
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["clean"].status == "done", "'clean' to run once read")


@pytest.mark.asyncio
async def test_the_read_it_first_words_go_once_the_end_is_in_view(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 2,000-line command walked at 80x24: y too early, then `end`. The action line went on saying `Read it to its
    end first` with the last line in view (and the `y` it stood for now running the step). Now, once the end is in
    view, the line says again what y does."""
    prepare_workdir(workdir, monkeypatch, _runbook(40))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await settled(pilot)
        await pilot.press("enter")
        await screen_is(pilot, "ConfirmPrompt")
        await pilot.press("y")
        await until(pilot, lambda: "Read it to its end first" in _dialog_text(app), "y to say the end was not read")
        await read_to_end(pilot)
        keys = app.screen.query_one("#dialog-keys")
        await until(pilot, lambda: "Read it to its end first" not in painted(keys), "the read-first words to go at the end")
        assert painted(keys).strip() == "y run it · n / escape cancel", painted(keys)


@pytest.mark.asyncio
async def test_enter_during_a_resize_is_judged_from_the_new_layout(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The terminal shrinks from 140x45 (the pane shows the ten lines whole) to 80x24 (it cuts them) and enter comes in
    the same read: the key was judged from the old layout and ran the step at once, the rm -rf on a line the new pane
    cuts. Now a key that comes before the new size is laid out waits for it: the step whole first, y runs it."""
    prepare_workdir(workdir, monkeypatch, _runbook(10))
    (workdir / "victim").mkdir()
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        await settled(pilot)
        assert "more lines" not in str(app.screen.query_one("#detail").border_title), "whole at 140x45"
        small = Size(80, 24)
        app._driver._size = small  # as Pilot.resize_terminal does, without its pause: the key comes in the same read
        app.post_message(Resize(small, small))
        burst(app, "enter")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        assert prompt.title_text == "Run 'clean'", prompt.title_text
        assert not of_kind("j.jsonl", "step_started") and (workdir / "victim").exists(), "nothing runs before y"


@pytest.mark.asyncio
async def test_a_steps_acknowledgement_is_read_to_its_end_too(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `confirm:` step opens its acknowledgement (which shows the command): one dialog, and its y waits for the end."""
    prepare_workdir(workdir, monkeypatch, _runbook(40, confirm="The files are gone for good."))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await pilot.press("enter")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        assert prompt.title_text == "Acknowledge 'clean'", prompt.title_text
        await pilot.press("y")
        await until(pilot, lambda: "Read it to its end first" in _dialog_text(app), "y to say the end was not read")
        await read_to_end(pilot)
        await pilot.press("y")
        await until(pilot, lambda: controller.state.steps["clean"].status == "done", "'clean' to run once acknowledged")


@pytest.mark.asyncio
@BOTH
async def test_the_verifiers_go_ahead_on_a_step_the_pane_cuts(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    """bob's c on a `verify: before` step: at 80x24 the step whole, then y sends the go-ahead; at 140x45 c sends it."""
    prepare_workdir(workdir, monkeypatch, _runbook(10, verify="before"))
    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        await pilot.press("c")
        if size == (140, 45):
            await until(pilot, lambda: client.sent == [("confirm", "")], "c to give the go-ahead at once")
            return
        prompt = await screen_is(pilot, "ConfirmPrompt")
        shown = _dialog_text(app)
        assert prompt.title_text == "Your go-ahead for 'clean'" and "rm -rf victim" in shown and "y give the go-ahead" in shown, shown
        assert client.sent == [], "nothing is sent before y"
        await pilot.press("y")
        await until(pilot, lambda: client.sent == [("confirm", "")], "y to give the go-ahead")


@pytest.mark.asyncio
async def test_a_key_right_after_the_step_came_measures_the_pane_it_grows_to(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the next frame lays the pane out for the new step (grown from the last step's two lines), the step is
    whole if it fits the rows the pane grows to: a key pressed then found a short step cut and showed it whole first."""
    from runbook_tui.ui.read_first import pane_shows_whole

    prepare_workdir(
        workdir, monkeypatch, _runbook(10).replace("      - id: clean\n", "      - {id: soak, title: Soak, wait: 0.1s, verify: none}\n      - id: clean\n")
    )
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        pane = app.screen.query_one("#detail")
        await pilot.press("enter")
        await until(pilot, lambda: controller.state.steps["soak"].status == "done" and not controller.busy, "the wait to end")
        await settled(pilot)
        assert controller.state.current == "clean" and pane.scrollable_content_region.height >= 10, pane.scrollable_content_region
        app.screen.query_one("#step-detail").show(controller.state, "soak")  # the wait's two lines, as before it ended
        await settled(pilot)
        assert pane.scrollable_content_region.height < 10, "the pane fits the wait's lines"
        app.screen.query_one("#step-detail").show(controller.state, "clean")  # drawn, not laid out yet
        assert pane.scrollable_content_region.height < 10 and pane_shows_whole(app.screen, "clean")


@pytest.mark.asyncio
@BOTH
async def test_the_verifiers_word_that_lets_the_next_wave_run(workdir: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    """`verify: per_wave`: bob's c after a wave lets the next one run the command: at 80x24, the step whole first."""
    from runbook_tui.engine.state_model import with_step

    hosts = "hosts:\n  web:\n    - {name: web1, address: 192.0.2.1}\n    - {name: web2, address: 192.0.2.2}\nsections:\n"
    text = (
        _runbook(10, verify="per_wave")
        .replace("sections:\n", hosts)
        .replace("        verify: per_wave", "        verify: per_wave\n        on: web\n        serial: [1]")
    )
    prepare_workdir(workdir, monkeypatch, text)
    client = FakeClient(shared_session_events(workdir))
    client.state = with_step(client.state, "clean", status="running", wave_awaiting=1)
    app = VerifierApp(client)
    async with app.run_test(size=size) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        await pilot.press("c")
        if size == (140, 45):
            await until(pilot, lambda: client.sent == [("confirm", "")], "c to let the next wave run at once")
            return
        prompt = await screen_is(pilot, "ConfirmPrompt")
        shown = _dialog_text(app)
        assert prompt.title_text == "Your word on wave 1 of 'clean'" and "rm -rf victim" in shown and "y confirm it: the next wave runs" in shown, shown
        assert client.sent == []
        await pilot.press("y")
        await until(pilot, lambda: client.sent == [("confirm", "")], "y to let the next wave run")


@pytest.mark.asyncio
async def test_the_verifiers_c_during_a_resize_is_judged_from_the_new_layout(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bob's c for a go-ahead in the read that shrank his terminal from 140x45 to 80x24: sent at once from the old
    layout, which showed the step whole. Now it waits for the new one, which cuts it: the step whole first."""
    prepare_workdir(workdir, monkeypatch, _runbook(10, verify="before"))
    client = FakeClient(shared_session_events(workdir))
    app = VerifierApp(client)
    async with app.run_test(size=(140, 45)) as pilot:
        await screen_is(pilot, "VerifierScreen")
        await settled(pilot)
        small = Size(80, 24)
        app._driver._size = small  # as Pilot.resize_terminal does, without its pause: the key comes in the same read
        app.post_message(Resize(small, small))
        burst(app, "c")
        prompt = await screen_is(pilot, "ConfirmPrompt")
        assert prompt.title_text == "Your go-ahead for 'clean'" and client.sent == [], (prompt.title_text, client.sent)
