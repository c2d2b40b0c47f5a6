"""How `runbook-tui run FILE --solo REASON` starts: the run screen is the first screen Textual draws.

A solo (or dry) run whose secrets come from the environment opens its session before the first
frame (nothing in it can take long), so no loading screen is drawn and then replaced; the journal's
first line is on disk before the screen exists. A shared run, a keyring secret and everything else
keep the loading screen. The first frame is drawn in the chosen theme, and choosing another theme
afterwards still restyles the screen.
"""

from __future__ import annotations

import gc
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_screen_helpers import RUNBOOK, SIZE, events, painted, prepare_workdir, run_step, screen_is, type_text, until, write_runbook
from textual.color import Color

from runbook_tui.app.session import ShareOptions, load
from runbook_tui.cli import _parser, _trust_options, main
from runbook_tui.ui.app import RunbookApp
from runbook_tui.ui.launch import opens_at_once, starters
from runbook_tui.ui.run_screen import RunScreen


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    prepare_workdir(tmp_path, monkeypatch)
    return tmp_path


class Watched(RunScreen):
    """The run screen, noting what the person's terminal held and what the journal held when it was mounted."""

    seen: list[dict[str, Any]] = []

    def on_mount(self) -> None:  # Textual runs RunScreen's and RunView's own handlers too
        journal = Path(self.journal_path)
        self.seen.append(
            {
                "stack": [type(screen) for screen in self.app.screen_stack],
                "journal": [event["type"] for event in events(journal)] if journal.exists() else [],
            }
        )


class WatchedApp(RunbookApp):
    run_screen = Watched


async def started(pilot: Any) -> Any:
    """Wait until the (watched) run screen shows; returns the controller."""
    app = pilot.app
    await until(pilot, lambda: app.handle is not None and isinstance(app.screen, Watched) and app.screen.is_mounted, "the run screen")
    return app.handle.controller


def solo_app(theme: str | None = None, journal: str = "j.jsonl") -> RunbookApp:
    """The app exactly as `runbook-tui run runbook.yaml --solo "ui test" --journal j.jsonl` builds it."""
    loaded = load("runbook.yaml", {})
    start_for = starters(mode="live", solo="ui test", share=None, journal=journal, override_window=None)
    Watched.seen = []
    return WatchedApp(start_for(loaded), theme=theme, opens_at_once=opens_at_once(loaded, None))


@pytest.mark.asyncio
async def test_a_solo_run_opens_on_the_run_screen_with_the_journal_already_written(workdir: Path) -> None:
    app = solo_app()
    async with app.run_test(size=SIZE) as pilot:
        controller = await started(pilot)
        assert Watched.seen == [{"stack": [Watched], "journal": ["session_started", "step_ready"]}], (
            "the run screen is the first and only screen (no loading screen before it), mounted after session_started was written"
        )
        await until(pilot, lambda: app.handle is not None and app.handle._watch is not None, "the journal's writer watched")  # type: ignore[attr-defined]
        await run_step(pilot, "check")
        assert controller.state.steps["check"].status == "done"
        await pilot.press("q")
        await screen_is(pilot, "ConfirmPrompt")
    assert [e["type"] for e in events(workdir / "j.jsonl")][:3] == ["session_started", "step_ready", "step_started"]


@pytest.mark.asyncio
async def test_outside_the_window_the_reason_is_asked_over_the_first_screen(workdir: Path) -> None:
    window = "  window: {start: '2026-01-01T02:00:00+00:00', end: '2026-01-01T04:00:00+00:00'}\n"
    write_runbook(workdir, RUNBOOK.replace("  verifier: bob\n", "  verifier: bob\n" + window))
    app = solo_app()
    async with app.run_test(size=SIZE) as pilot:
        await screen_is(pilot, "TextPrompt")
        assert not (workdir / "j.jsonl").exists(), "nothing is journaled before the reason is given"
        await type_text(pilot, "CAB extended the window")
        await pilot.press("enter")
        await started(pilot)
        assert [type(screen) for screen in app.screen_stack][-1] is Watched
    overrides = [event for event in events(workdir / "j.jsonl") if event["type"] == "window_override"]
    assert [event["reason"] for event in overrides] == ["CAB extended the window"]


@pytest.mark.asyncio
async def test_a_refused_start_exits_with_its_reason_and_code(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_runbook(
        workdir,
        RUNBOOK.replace("title: Raise the pool size of demo-app\n", "title: Raise the pool size of demo-app\nsecrets:\n  token: {env: UI_TEST_TOKEN}\n"),
    )
    monkeypatch.delenv("UI_TEST_TOKEN", raising=False)
    app = solo_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.return_value is not None, "the app to exit")
    assert app.return_value == 2 and app.failure is not None and "UI_TEST_TOKEN is not set" in app.failure
    assert not (workdir / "j.jsonl").exists()


def test_only_runs_with_nothing_slow_to_open_skip_the_loading_screen(workdir: Path) -> None:
    assert opens_at_once(load("runbook.yaml", {}), None)
    share = ShareOptions(":2222", (), workdir / "host_key")
    assert not opens_at_once(load("runbook.yaml", {}), share), "a shared session binds its port and shows its address first"
    keyring = "secrets:\n  token: {keyring: {service: ui, username: alice}}\n"
    write_runbook(workdir, RUNBOOK.replace("title: Raise the pool size of demo-app\n", "title: Raise the pool size of demo-app\n" + keyring))
    assert not opens_at_once(load("runbook.yaml", {}), None), "a keyring may ask for a password: the loading screen says why it waits"


@pytest.mark.asyncio
async def test_the_first_frame_is_in_the_chosen_theme_and_a_later_choice_restyles_it(workdir: Path) -> None:
    app = solo_app(theme="day")
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert app.screen.styles.background == Color.parse("#f4f2ec"), "day's background from the first frame"
        app.theme = "night"
        await until(pilot, lambda: app.screen.styles.background == Color.parse("#0e1114"), "night's background after the change")


def test_a_solo_run_with_nothing_to_sign_or_check_starts_without_the_trust_modules(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)

    def trust_for(*argv: str) -> Any:
        return _trust_options(_parser(list(argv)).parse_args(list(argv)), {})

    assert trust_for("run", "runbook.yaml", "--solo", "ui test") is None, "no key, no agent, no signers, no approval: nothing to sign, no seal to await"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bob@laptop", "-f", str(workdir / "bob")], check=True)
    (workdir / "allowed_signers").write_text("bob " + " ".join((workdir / "bob.pub").read_text().split()[:2]) + "\n")
    checked = trust_for("run", "runbook.yaml", "--solo", "ui test", "--allowed-signers", "allowed_signers")
    assert checked is not None and checked.signers is not None, "allowed signers given: the trust path runs as before"
    assert trust_for("run", "runbook.yaml") is not None, "the mode screen may still make it shared"
    assert trust_for("run", "runbook.yaml", "--solo", "ui test", "--share", ":2222", "--observer-key", "bob.pub") is not None  # a solo run others watch


@pytest.fixture
def collector_restored() -> Iterator[None]:
    yield
    gc.unfreeze()
    gc.enable()


@pytest.mark.asyncio
@pytest.mark.usefixtures("collector_restored")
async def test_the_collector_paused_for_the_start_is_on_from_the_first_frame(workdir: Path) -> None:
    gc.disable()  # as `runbook-tui run` leaves it until the first frame (cli.SCREEN_COMMANDS)
    app = solo_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await until(pilot, gc.isenabled, "the cyclic garbage collector back on after the first frame")
        assert gc.get_freeze_count() > 0, "what the start made is frozen: the collections from now on skip it"


@pytest.mark.usefixtures("collector_restored")
def test_a_screen_command_that_ends_before_its_screen_leaves_the_collector_on(workdir: Path) -> None:
    write_runbook(workdir, RUNBOOK.replace("run:", "rnu:", 1))
    assert main(["run", "runbook.yaml", "--solo", "ui test"]) == 2, "an invalid runbook never reaches the screen"
    assert gc.isenabled(), "the collector paused for the start is on again when the command returns"


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_window_question_says_what_enter_and_escape_do(workdir: Path, size: tuple[int, int]) -> None:
    """The question read `...; starting needs --override-window REASON (journaled)` above its own reason field, and
    its keys `enter submit · escape cancel`: as if the run had to be left and started again with the flag, and with
    nothing saying what escape does. Now it asks for the reason here and says enter starts, escape leaves unstarted."""
    window = "  window: {start: '2026-01-01T02:00:00+00:00', end: '2026-01-01T04:00:00+00:00'}\n"
    write_runbook(workdir, RUNBOOK.replace("  verifier: bob\n", "  verifier: bob\n" + window))
    app = solo_app()
    async with app.run_test(size=size) as pilot:
        prompt = await screen_is(pilot, "TextPrompt")
        body = " ".join(painted(prompt.query_one("#dialog-body")).split())
        assert "closed at 2026-01-01T04:00:00+00:00" in body and "starting needs --override-window" not in body, body
        assert "Starting anyway needs a reason, typed here" in body, body
        keys = " ".join(painted(prompt.query_one("#dialog-keys")).split())
        assert keys == "enter start anyway, with this reason · escape leave, nothing started", keys
        await pilot.press("escape")
        await until(pilot, lambda: app.return_value is not None, "escape to leave")
    assert app.return_value == 2 and not (workdir / "j.jsonl").exists()
