"""A screen that crashes prints its traceback without each frame's local variables.

Textual's crash report shows every frame's locals (strings up to 80 characters): a secret a frame held (a step's
env, a value read from the keyring) was printed on the terminal and left in its scrollback. Walked in a real tmux.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.waiting import wait_until

SECRET = "Tk-9f8e7d6c5b4a3210-abcdefXYZ"

CRASHING = """\
from runbook_tui.ui.base_app import ThemedApp


class Crashing(ThemedApp):
    def on_key(self, event: object) -> None:
        env = {"RBT_V1": open({path!r}).read()}  # a secret a frame holds, as a step's environment does
        raise RuntimeError("a bug met while " + str(len(env)) + " value was set")


Crashing().run()
"""


def test_a_crash_says_the_error_but_no_frame_s_locals(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET, encoding="utf-8")  # read at run time: the script's own text holds no secret
    script = tmp_path / "crashing.py"
    script.write_text(CRASHING.replace("{path!r}", repr(str(secret_file))), encoding="utf-8")
    sockets = Path(tempfile.mkdtemp(prefix="rbt-c-"))
    socket = str(sockets / "sock")

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-S", socket, *args], check=True, capture_output=True, text=True, timeout=30).stdout

    def scrollback() -> str:
        return tmux("capture-pane", "-p", "-J", "-S", "-500", "-t", "t")

    command = (
        f"cd {shlex.quote(str(Path.cwd()))} && HOME={shlex.quote(str(tmp_path))} {shlex.quote(sys.executable)} {shlex.quote(str(script))}; echo ended; sleep 60"
    )
    tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "140", "-y", "45", command)
    try:
        wait_until(lambda: tmux("display-message", "-p", "-t", "t", "#{alternate_on}").strip() == "1", "the app on the screen", 60)
        tmux("send-keys", "-t", "t", "x")
        wait_until(lambda: "ended" in scrollback(), lambda: f"the crashed app's end; the pane shows:\n{scrollback()}", 60)
        shown = scrollback()
    finally:
        subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True, timeout=30)
        shutil.rmtree(sockets, ignore_errors=True)
    assert "RuntimeError" in shown and "a bug met while 1 value was set" in shown, shown
    assert SECRET not in shown and SECRET[:12] not in shown, f"a frame's local shown:\n{shown}"
