"""A stopping signal while Textual starts the screen (after `run()` began, before the app's own handlers are in place on
mount) is acted on once mounted: the app leaves as on any SIGTERM (exit 1; a run journals where it stopped).

Before: SIGTERM there was its default action (the process killed, -15, the terminal left in application mode); under
`runbook-tui run`, whose start now raises on it in words (cli/interrupted.signals_said), it would have been raised inside
Textual's start-up instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from runbook_tui.app.stopped import signals_raise
    from runbook_tui.ui.base_app import ThemedApp

    class Early(ThemedApp):
        def compose(self):
            os.kill(os.getpid(), getattr(signal, sys.argv[1]))  # before on_mount: the app's handlers are not in place
            yield from ()

    with signals_raise():  # as `runbook-tui run` starts a screen (cli/interrupted.signals_said)
        app = Early()
        app.run(headless=True, size=(80, 24))
    print("left with", app.return_value, "default after:", signal.getsignal(getattr(signal, sys.argv[1])) == signal.SIG_DFL)
    """
)


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_signal_before_the_app_mounted_is_taken_when_it_mounts(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, name], capture_output=True, text=True, timeout=120,
        env={**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8"},
    )  # fmt: skip
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stdout == "left with 1 default after: True\n", done.stdout  # after the screen, the default action, as before
