"""What the run-screen tests share: an example-like local runbook, the app as `run` builds it,
bounded waits on state (never fixed sleeps: the machine may be busy), and the journal read back.

Every command runs in the working folder (tmp_path) and only touches files there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import textwrap
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual import events as textual_events
from textual.keys import _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot

from runbook_tui.app.session import Session, load, open_session
from runbook_tui.app.settings import Settings
from runbook_tui.engine.controller import Reply
from runbook_tui.engine.journal import read_events
from runbook_tui.engine.state import RunState, replay
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.footer import KeyFooter
from runbook_tui.ui.keys_in_turn import shown

SIZE = (140, 45)

#: Like the shipped examples: prechecks, a backup checkpoint, changes (one without undo, one that can
#: be made to fail, one that waits on a marker file), a step that needs acknowledgement, a verify step
#: and a rollback section. `fail` makes `apply` fail; `hold` makes `slow` wait until the file `release`
#: exists (bounded: it gives up after about a minute, so nothing outlives the test by long).
#: Nothing writes to stderr: its order against stdout may vary, and snapshots show both.
RUNBOOK = """\
runbook: 1
id: ui-run
title: Raise the pool size of demo-app
ticket:
  id: CHG-42
  subject: demo-app pool size
  assignee: alice
  verifier: bob
  risk: {level: medium, summary: a reload can fail}
params:
  fail: {type: bool, default: false}
  hold: {type: bool, default: false}
sections:
  - id: pre
    title: Prechecks
    kind: precheck
    steps:
      - id: check
        title: Config parses
        run: echo check >> marks; echo config ok
  - id: backup
    title: Backup
    kind: backup
    steps:
      - id: backup
        title: Back up the config
        run: echo backup >> marks; echo backed up
        undo: echo undo-backup >> marks
        checkpoint: true
  - id: change
    title: Change
    kind: implement
    steps:
      - id: edit
        title: Edit the config
        run: echo edit >> marks; echo edited
        undo: echo undo-edit >> marks
      - id: tweak
        title: Tweak the kernel (no undo)
        run: echo tweak >> marks
      - id: apply
        title: Apply the change
        run: "echo apply >> marks; echo applying{% if fail %}; echo reload failed; exit 3{% endif %}"
        undo: echo undo-apply >> marks
      - id: slow
        title: Wait for the service
        run: "echo slow >> marks; echo waiting for release{% if hold %}; i=0; while [ ! -e release ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done{% endif %}; echo released"
        undo: echo undo-slow >> marks
      - id: drop
        title: Drop the old table
        run: echo drop >> marks
        confirm: The old table is gone for good.
  - id: verify
    title: Verify
    kind: verify
    steps:
      - id: healthy
        title: Service healthy
        run: echo healthy >> marks
  - id: rollback
    title: After a full rollback
    kind: rollback
    steps:
      - id: restored
        title: Config restored
        run: echo restored >> marks
"""

ORDER = ("check", "backup", "edit", "tweak", "apply", "slow", "drop", "healthy")


def write_runbook(folder: Path, text: str = RUNBOOK, name: str = "runbook.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def prepare_workdir(folder: Path, monkeypatch: pytest.MonkeyPatch, text: str = RUNBOOK) -> None:
    """A run from `folder` as alice, with no settings file and state kept in it; the runbook written there."""
    monkeypatch.chdir(folder)
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    monkeypatch.delenv("RUNBOOK_TUI_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(folder / "xdg-state"))
    write_runbook(folder, text)


def make_app(
    runbook: Path | str = "runbook.yaml",
    *,
    params: dict[str, Any] | None = None,
    journal: str = "j.jsonl",
    mode: str = "live",
    solo: str | None = "ui test",
    now: Any = None,
    verifier_in_process: bool = False,
) -> RunbookApp:
    """The app as `runbook-tui run runbook.yaml --solo "ui test" --journal j.jsonl` builds it (with
    `verifier_in_process` and no `solo`: a two-person run whose verifier's intents the test sends itself)."""
    loaded = load(str(runbook), dict(params or {}))

    def starter(override: str | None) -> Session:
        return open_session(
            loaded, mode=mode, solo=solo, journal=journal, override_window=override, settings=Settings(), now=now, verifier_in_process=verifier_in_process
        )

    return RunbookApp(starter)


def events(journal: Path | str) -> list[dict[str, Any]]:
    read = read_events(journal)
    assert not read.unreadable and not read.problems, read.problems or read.unreadable
    return list(read.events)


def of_kind(journal: Path | str, kind: str) -> list[dict[str, Any]]:
    """The journal's events of one type, in order."""
    return [e for e in events(journal) if e["type"] == kind]


def types(journal: Path | str, *wanted: str) -> list[str]:
    return [e["type"] for e in events(journal) if not wanted or e["type"] in wanted]


def marks(folder: Path) -> list[str]:
    path = folder / "marks"
    return path.read_text().splitlines() if path.exists() else []


async def until(pilot: Pilot[Any], predicate: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Poll `predicate` between short pauses (the app keeps running); fail after a bounded number of tries."""
    for _ in range(int(seconds / 0.1)):
        if predicate():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def started(pilot: Pilot[Any]) -> Any:
    """Wait until the run screen shows; returns the controller."""
    app = pilot.app
    assert isinstance(app, RunbookApp)
    # mounted too: the screen is on top before its Mount has run, and a query then (`#detail`) found nothing yet
    await until(pilot, lambda: app.handle is not None and type(app.screen).__name__ == "RunScreen" and app.screen.is_mounted, "the run screen")
    # laid out too: under load the first layout came after, and a footer read then painted an empty row
    await until(pilot, lambda: all(footer.outer_size.height for footer in app.screen.query(KeyFooter)), "the run screen laid out")
    assert app.handle is not None
    return app.handle.controller


async def run_step(pilot: Pilot[Any], step: str, status: str | tuple[str, ...] = "done") -> None:
    """Press enter on the current step and wait until it ended with `status`, the controller idle."""
    app = pilot.app
    assert isinstance(app, RunbookApp) and app.handle is not None
    controller = app.handle.controller
    assert controller.state.current == step, f"the current step is {controller.state.current}, not {step}"
    wanted = (status,) if isinstance(status, str) else status
    await pilot.press("enter")
    await until(pilot, lambda: controller.state.steps[step].status in wanted and not controller.busy, f"{step} to end {wanted}")


async def stopped_full_rollback(pilot: Pilot[Any], failed_step: str) -> None:
    """`u`, `f`, `y`: the full rollback, until it stopped at `failed_step` (an undo or a rollback section's step that failed)."""
    app = pilot.app
    assert isinstance(app, RunbookApp) and app.handle is not None
    controller = app.handle.controller
    await pilot.press("u")
    await screen_is(pilot, "RollbackModal")
    await pilot.press("f", "y")
    await until(pilot, lambda: controller.state.rollback is not None and controller.state.rollback.finished, "the full rollback to stop")
    assert controller.state.rollback is not None and controller.state.rollback.failed_step == failed_step


async def until_apply_failed(pilot: Pilot[Any]) -> None:
    """Run the steps before `apply` (they succeed), then `apply`, which fails (the app made with `fail`)."""
    for step in ORDER[:4]:
        await run_step(pilot, step)
    await run_step(pilot, "apply", "failed")


async def settled(pilot: Pilot[Any], seconds: float = 30.0) -> None:
    """Wait until the screen's repaint timer (~15 a second) has taken the latest state; fails if it never does."""
    screen = pilot.app.screen

    def repainted() -> bool:
        return not getattr(screen, "_dirty", False) and not getattr(screen, "_pending_lines", None)

    await until(pilot, repainted, f"{type(screen).__name__} to repaint the latest state", seconds)
    await pilot.pause()  # and the compositor to draw what the repaint changed


async def steady(pilot: Pilot[Any]) -> None:
    """The latest state painted and no toasts left: what stays on screen (for snapshots)."""
    pilot.app.clear_notifications()
    await settled(pilot)
    await until(pilot, lambda: not pilot.app.screen.query("Toast"), "the notifications to leave the screen")
    await pilot.pause()


def painted(widget: Any) -> str:
    """The text a widget paints now (what a person reads), line by line, without styles."""
    from textual.geometry import Region

    width, height = widget.outer_size  # padding and border included: with `size` (the content's), a row that fills the width lost its last cell
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height)))


async def read_to_end(pilot: Pilot[Any]) -> None:
    """`end` in the dialog on top, until its last line is in view (the scroll animates): what its `y` waits for where
    the body is what y does (ui/read_first.py, the undo list)."""
    await pilot.press("end")
    await until(pilot, lambda: pilot.app.screen.query_one("#dialog-scroll").read_to_end(), "the dialog's last line in view")


def showing(app: Any, name: str) -> bool:
    """Whether the top screen is of the class called `name`, mounted and painted: a key typed before it is drawn does
    not count on a dialog whose y acts (keys_in_turn), as a person presses y once they see the dialog."""
    return type(app.screen).__name__ == name and app.screen.is_mounted and shown(app, app.screen)


async def screen_is(pilot: Pilot[Any], name: str) -> Any:
    """Wait until the top screen is of the class called `name`, painted; returns it."""
    await until(pilot, lambda: showing(pilot.app, name), f"the {name} screen")
    await pilot.pause()
    return pilot.app.screen


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type into the focused input as a person would, one key at a time."""
    await pilot.press(*text)


#: Keys sent by name; any other part of a burst is text, typed a letter at a time.
NAMED = {"tab", "enter", "escape", "ctrl+s", "ctrl+c"}


def burst(app: Any, *keys: str) -> None:
    """Each key (a name in NAMED, or a text typed a letter at a time) posted at once, no pause between them."""
    for part in keys:
        for key in [part] if part in NAMED else list(part):
            name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
            try:
                char: str | None = unicodedata.lookup(_get_unicode_name_from_key(name))
            except KeyError:
                char = key if len(key) == 1 else None
            event = textual_events.Key(name, char)
            event.set_sender(app)
            app._driver.send_message(event)


def paste(app: Any, text: str) -> None:
    """A bracketed paste, as the terminal hands it over."""
    event = textual_events.Paste(text)
    event.set_sender(app)
    app._driver.send_message(event)


class FakeClient:
    """What VerifierScreen needs of ShareClient: a replica state, listeners, and `send` replying at once."""

    def __init__(self, journal_events: list[dict[str, Any]]) -> None:
        self.state = replay(journal_events)
        self.sent: list[tuple[str, str]] = []
        self.lost_at: float | None = None
        self.farewell = ""  # the session's `bye` on the last drop
        self.diverged: str | None = None  # the first divergence from what the replica received before
        self.role = "verifier"  # what the session's welcome said
        self.name = "bob"  # who joined, as the welcome named them
        self.unsigned = ""  # the welcome's: why the assignee's decisions go unsigned (empty: signed)
        self.clock_offset = 0.0  # the welcome's clock: how far this machine's is ahead of the session's
        self._listeners: list[Callable[..., None]] = []
        self._status: list[Callable[[str], None]] = []

    def subscribe(self, listener: Callable[..., None]) -> None:
        self._listeners.append(listener)

    def on_status(self, listener: Callable[[str], None]) -> None:
        self._status.append(listener)

    async def send(self, action: str, text: str = "", *, seen: object = ...) -> Reply:
        self.sent.append((action, text))
        return Reply(True, f"{action} sent")

    async def run(self) -> None:
        await asyncio.Event().wait()  # stays joined until the app leaves


def shared_session_events(workdir: Path) -> list[dict[str, Any]]:
    """session_started of a run with a verifier (not solo): the replica the verifier's screen starts from."""
    session = open_session(load("runbook.yaml", {}), solo=None, journal="shared.jsonl", settings=Settings())
    session.controller.journal.close()
    return events("shared.jsonl")


def with_plan(state: RunState, step_id: str, **fields: Any) -> RunState:
    """The same run with `fields` set in the plan of `step_id` (`verify="before"`, `kind="note"`, `kind="wait", wait=600`)."""
    plan = dict(state.session["plan"])
    plan["sections"] = [
        {**section, "steps": [{**step, **fields} if step["id"] == step_id else step for step in section["steps"]]} for section in plan["sections"]
    ]
    return dataclasses.replace(state, session={**state.session, "plan": plan})


def footer_keys(app: Any) -> list[str]:
    """The footer's keys as drawn (`⏎ run`, `p pause`), checked against its painted row."""
    footer = app.screen.query_one(KeyFooter)
    keys = [f"{key.shown} {key.description}" for key in footer.keys[0]]
    row = painted(footer)
    assert all(key in row for key in keys), (keys, row)
    return keys


#: A runbook whose ticket's change window ended in 2020: a run of it starts only with `--override-window REASON`.
LATE = """\
runbook: 1
id: late
title: Late change
ticket:
  id: CHG-9
  window: {start: "2020-01-01T01:00:00Z", end: "2020-01-01T02:00:00Z"}
sections:
  - id: impl
    kind: implement
    steps:
      - {id: one, title: One, run: 'echo one', undo: 'echo undo'}
"""
