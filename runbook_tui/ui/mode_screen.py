"""Before anything runs: is this run shared with a verifier, or solo (and why)?

A run started without `--share` or `--solo` would otherwise run its first
verified step and then wait for a verifier nobody can bring. This screen
asks first; nothing is started until one of the two is chosen.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.safe_text import visible_line
from runbook_tui.ui.keys_text import KeysText
from runbook_tui.ui.typed_input import TypedInput

#: What each key does on this screen; kept under whatever the screen says (a refusal replaced it, `tab: next` with it).
KEYS = "enter in a share field: share · enter in the reason: solo · tab: next · escape: cancel"

#: Where a shared run listens when nothing else is said (every interface, so the verifier can reach it).
DEFAULT_SHARE_ADDRESS = ":2222"


@dataclass(frozen=True)
class ModeChoice:
    """Shared (address, who may join) or solo (the reason, journaled)."""

    solo: str | None = None
    share_address: str | None = None
    verifier_keys: tuple[str, ...] = ()
    observer_keys: tuple[str, ...] = ()


def _files(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


class ModeScreen(ModalScreen[ModeChoice | None]):
    """Share (address, verifier and observer keys) or solo (reason). Enter in a share field shares; in the reason, goes solo."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]
    DEFAULT_CSS = """
    ModeScreen { align: center middle; }
    ModeScreen .mode-label { color: $text-muted; margin-top: 1; }
    ModeScreen Input { background: $boost; }
    ModeScreen #dialog-keys { width: 100%; }  /* wraps at 80 columns: 'escape: cancel' was cut to 'escape:' */
    """

    def __init__(self, runbook_title: str, *, last: ModeChoice | None = None, dry_run: bool = False, refused: str = "") -> None:
        """`last`: the answer whose start was refused (a key file that cannot be read): its words are kept to fix, and
        `refused`, why, is said in the dialog, under the fields (before: only in a toast in the screen's corner)."""
        super().__init__()
        self.runbook_title = runbook_title
        self.last = last or ModeChoice()
        self.dry_run = dry_run
        self.refused = refused

    def compose(self) -> ComposeResult:
        last = self.last
        dry = "DRY RUN: nothing is executed, the steps are walked and journaled as a dry run.\n" if self.dry_run else ""
        # Scrolls at 80x24: tab brings each field into view. Not focusable itself: tab past the reason landed on it, and
        # the reason typed there went nowhere.
        with VerticalScroll(id="dialog", classes="wide", can_focus=False):
            yield Label("How is this run verified?", id="dialog-title")
            yield Static(
                f"{visible_line(self.runbook_title)}\n{dry}Share: a verifier joins over SSH (runbook-tui join ADDR) and confirms the steps "
                "that need it. Or solo: nobody verifies, every step is recorded unverified.",
                id="dialog-body",
                markup=False,
            )
            yield Label("Share at (HOST:PORT, :PORT for every interface)", classes="mode-label", markup=False)
            yield TypedInput(value=last.share_address or DEFAULT_SHARE_ADDRESS, id="mode-address", compact=True)
            yield Label("Verifier's public key file (several: comma-separated)", classes="mode-label", markup=False)
            yield TypedInput(value=", ".join(last.verifier_keys), placeholder="e.g. ~/keys/bob.pub", id="mode-verifier", compact=True)
            yield Label("Observers' public key files (optional)", classes="mode-label", markup=False)
            yield TypedInput(value=", ".join(last.observer_keys), id="mode-observers", compact=True)
            yield Label("Solo reason (goes into the journal and the report)", classes="mode-label", markup=False)
            yield TypedInput(last.solo or "", placeholder="e.g. verifier unreachable, CAB approved solo (INC-7)", id="mode-solo", compact=True)
            yield Label(KeysText(KEYS), id="dialog-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#mode-solo" if self.last.solo else "#mode-verifier", Input).focus()
        if self.last.share_address and not self.last.verifier_keys and not self.last.solo:  # `run FILE --share ADDR`, no key
            self._say(f"Shared at {visible_line(self.last.share_address)}: whose public key may join as verifier?")
        if self.refused:
            self._say(f"Not started: {visible_line(self.refused)}")

    def _say(self, words: str) -> None:
        """`words` above the keys: what to fix, and still how to move to it and what enter and escape do."""
        self.query_one("#dialog-keys", Label).update(KeysText(f"{words}\n{KEYS}"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "mode-solo":
            reason = event.value.strip()
            if not reason:
                self._say("A solo run needs a reason (it goes into the journal).")
                return
            self.dismiss(ModeChoice(solo=reason))
            return
        address = self.query_one("#mode-address", Input).value.strip()
        verifiers = _files(self.query_one("#mode-verifier", Input).value)
        observers = _files(self.query_one("#mode-observers", Input).value)
        if not address:
            self._say("Sharing needs an address to listen at (HOST:PORT or :PORT).")
            return
        if not verifiers:
            self._say("Sharing needs the verifier's public key file, or write a solo reason below (tab).")
            return
        self.dismiss(ModeChoice(share_address=address, verifier_keys=verifiers, observer_keys=observers))

    def action_cancel(self) -> None:
        self.dismiss(None)
