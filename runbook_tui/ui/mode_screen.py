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
from runbook_tui.ui.typed_input import TypedInput

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

    def __init__(self, runbook_title: str, *, address: str = DEFAULT_SHARE_ADDRESS, verifier_key: str = "", observer_keys: str = "") -> None:
        super().__init__()
        self.runbook_title = runbook_title
        self.defaults = (address, verifier_key, observer_keys)

    def compose(self) -> ComposeResult:
        address, verifier_key, observer_keys = self.defaults
        with VerticalScroll(id="dialog", classes="wide"):  # scrolls at 80x24: tab brings each field into view
            yield Label("How is this run verified?", id="dialog-title")
            yield Static(
                f"{visible_line(self.runbook_title)}\nShare: a verifier joins over SSH (runbook-tui join ADDR) and confirms the steps "
                "that need it. Or solo: nobody verifies, every step is recorded unverified.",
                id="dialog-body",
                markup=False,
            )
            yield Label("Share at (HOST:PORT, :PORT for every interface)", classes="mode-label", markup=False)
            yield Input(value=address, id="mode-address", compact=True)
            yield Label("Verifier's public key file (several: comma-separated)", classes="mode-label", markup=False)
            yield Input(value=verifier_key, placeholder="e.g. ~/keys/bob.pub", id="mode-verifier", compact=True)
            yield Label("Observers' public key files (optional)", classes="mode-label", markup=False)
            yield Input(value=observer_keys, id="mode-observers", compact=True)
            yield Label("Solo reason (goes into the journal and the report)", classes="mode-label", markup=False)
            yield TypedInput(placeholder="e.g. verifier unreachable, CAB approved solo (INC-7)", id="mode-solo", compact=True)
            yield Label("enter in a share field: share · enter in the reason: solo · tab: next · escape: cancel", id="dialog-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#mode-verifier", Input).focus()

    def _say(self, words: str) -> None:
        self.query_one("#dialog-keys", Label).update(words)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "mode-solo":
            reason = event.value.strip()
            if not reason:
                self._say("A solo run needs a reason (it goes into the journal).   escape: cancel")
                return
            self.dismiss(ModeChoice(solo=reason))
            return
        address = self.query_one("#mode-address", Input).value.strip()
        verifiers = _files(self.query_one("#mode-verifier", Input).value)
        observers = _files(self.query_one("#mode-observers", Input).value)
        if not address:
            self._say("Sharing needs an address to listen at (HOST:PORT or :PORT).   escape: cancel")
            return
        if not verifiers:
            self._say("Sharing needs the verifier's public key file, or write a solo reason below.   escape: cancel")
            return
        self.dismiss(ModeChoice(share_address=address, verifier_keys=verifiers, observer_keys=observers))

    def action_cancel(self) -> None:
        self.dismiss(None)
