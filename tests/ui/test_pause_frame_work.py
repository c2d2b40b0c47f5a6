"""What a `p` costs on its way to its frame (issue 18, keys37, keys38): the footer offers `p resume` in the frame right
after the one that says PAUSED (keys38: the key's frame draws the status row alone, `test_pause_status_first.py`), told
in the turn that draws it, with no message left behind that does nothing. Before keys37: the pause's own event posted a
Repaint the key's repaint had already drawn (the keys' turn then waited for the screen's queue to handle it), the footer
heard of the new keys by a callback in its own queue, one turn later, the keys' turn ended with a callback in the app's
queue though no key waited; and the footer asked `check_action` of every binding on the way, pageup and the step list's
cursor keys too, which it never shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import make_app, settled, started, until
from textual import events
from textual.app import App
from textual.message import Message
from textual.screen import Screen

from runbook_tui.engine.keys_first import KEYS
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.footer import Key, KeyFooter
from runbook_tui.ui.keys_in_turn import KeysInTurn
from runbook_tui.ui.repaint import Repaint
from runbook_tui.ui.run_screen import RunScreen
from runbook_tui.ui.status_stack import StatusStack


def _called(callback: Any) -> str:
    """The name of what a Callback event calls, through `partial`s and the callables that wrap a method."""
    for _ in range(4):
        callback = getattr(callback, "func", None) or getattr(callback, "_function", None) or callback
    return str(getattr(callback, "__qualname__", callback))


def _offered(footer: KeyFooter) -> list[str]:
    return [f"{key.shown} {key.description}" for key in footer.keys[0]]


@pytest.mark.asyncio
async def test_the_frame_that_says_paused_offers_p_resume_and_leaves_no_message_behind(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frames: list[tuple[bool, list[str]]] = []  # each frame of the run screen written: says PAUSED, the footer's keys
    posted: list[str] = []  # what the press posted that did nothing new: a Repaint, a callback to the footer or the app
    display = RunbookApp._display

    def drawn(app: RunbookApp, screen: Any, renderable: Any) -> None:
        display(app, screen, renderable)
        if renderable is not None and isinstance(app.screen, RunScreen):
            frames.append(("PAUSED" in str(app.screen.query_one(StatusStack).content), _offered(app.screen.query_one(KeyFooter))))

    def noting(post: Any) -> Any:
        def noted(node: Any, message: Message) -> bool:
            called = _called(message.callback) if isinstance(message, events.Callback) else ""
            if isinstance(message, Repaint) or called.startswith((KeysInTurn.__name__, KeyFooter.__name__)):
                posted.append(f"{type(node).__name__} <- {type(message).__name__} {called}")
            return bool(post(node, message))

        return noted

    said: list[list[str]] = []  # the footer's keys as each repaint returns
    repaint = RunScreen._repaint

    def repainted(screen: RunScreen) -> None:
        repaint(screen)
        said.append(_offered(screen.query_one(KeyFooter)))

    monkeypatch.setattr(RunScreen, "_repaint", repainted)
    monkeypatch.setattr(RunbookApp, "_display", drawn)
    for kind in (App, Screen, KeyFooter):
        monkeypatch.setattr(kind, "post_message", noting(kind.post_message))
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        await until(pilot, lambda: not KEYS.held and app._busy_since is None, "no key on its way")
        for paused, offered in ((True, "p resume"), (False, "p pause")):
            frames.clear()
            posted.clear()
            said.clear()
            await pilot.press("p")
            await until(pilot, lambda want=paused: controller.state.paused is want, "the pause" if paused else "the resume")
            await until(pilot, lambda want=paused: any(says is want for says, _keys in frames), "the frame that shows it")
            await settled(pilot)
            await until(pilot, lambda: not KEYS.held and app._busy_since is None, "the key's turn to end")
            first = next(i for i, (says, _keys) in enumerate(frames) if says is paused)
            after = [keys for _says, keys in frames[first : first + 2]]
            assert any(offered in keys for keys in after), f"the frame that first showed {'PAUSED' if paused else 'the resume'} and the next offered {after}"
            assert said == [said[0]] and offered in said[0], f"the footer offered {said} as the pause's repaints returned, not {offered}: told later"
            # One Repaint: the rest of the key's effect (the pane's line, the footer), asked once the key's frame was written.
            assert posted == ["RunScreen <- Repaint "], f"{'p' if paused else 'p again'} left messages that found nothing to do: {posted}"


@pytest.mark.asyncio
async def test_the_footer_offers_what_textual_s_bindings_say_checking_only_keys_it_can_show(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        controller = await started(pilot)
        await settled(pilot)
        screen = app.screen
        footer = screen.query_one(KeyFooter)
        shown_keys = {key for _node, bindings in screen._modal_binding_chain for key, binding in bindings if binding.show}
        shown_keys.add(app.COMMAND_PALETTE_BINDING)
        asked: list[tuple[str, str]] = []
        check = App._check_action_state

        def noted(self: App[Any], action: str, namespace: Any) -> bool | None:
            asked.append((action, type(namespace).__name__))
            return check(self, action, namespace)

        for moment in ("idle", "paused", "resumed", "steps shown", "after a step"):
            if moment in ("paused", "resumed"):
                await pilot.press("p")
                await until(pilot, lambda want=moment == "paused": controller.state.paused is want, moment)
            elif moment == "steps shown":
                await pilot.press("l")
            else:
                current = controller.state.current
                await pilot.press("enter")
                await until(pilot, lambda step=current: controller.state.steps[step].status == "done" and not controller.busy, "the first step")
            await settled(pilot)
            monkeypatch.setattr(App, "_check_action_state", noted)
            asked.clear()
            wanted = footer.wanted()
            monkeypatch.setattr(App, "_check_action_state", check)
            assert wanted == _as_textual_footer(app, screen, footer), f"{moment}: the footer's keys are not Textual's"
            assert wanted == footer.keys, f"{moment}: the footer did not offer what it wants now"
            unshown = sorted({action for action, _node in asked if not any(b.action == action and b.key in shown_keys for b in _bindings(screen))})
            assert not unshown, f"{moment}: the footer checked actions of keys it never shows: {unshown}"


def _bindings(screen: Screen[Any]) -> list[Any]:
    return [binding for _node, bindings in screen._modal_binding_chain for _key, binding in bindings]


def _as_textual_footer(app: App[Any], screen: Screen[Any], footer: KeyFooter) -> tuple[tuple[Key, ...], Key | None]:
    """What the footer showed before keys37, from Textual's `active_bindings` (every binding's check asked)."""
    active = screen.active_bindings
    keys: dict[str, Key] = {}
    for _node, binding, enabled, _tooltip in active.values():
        if binding.show and binding.action not in keys:
            keys[binding.action] = Key(binding.key, app.get_key_display(binding), binding.description, enabled)
    palette = active.get(app.COMMAND_PALETTE_BINDING) if footer.show_command_palette and app.ENABLE_COMMAND_PALETTE else None
    palette_key = None if palette is None else Key(palette.binding.key, app.get_key_display(palette.binding), palette.binding.description, palette.enabled)
    return tuple(keys.values()), palette_key
