"""What `runbook-tui run` imports before its first frame leaves out the modules only a later key needs.

The run screen imported every key's prompts (skip, mark done, note, accept criteria, decline), the whole step's view,
the copy and the hidden panels' list, and the step runner the capture's words, before the first frame (~2 ms of imports
of the ~90 ms the first frame costs more than a bare Textual app's). They now load when first used; the keys' tests (tests/ui) use them as before. The rollback's run stays loaded at start: undoing
never waits on an import, nor fails at one (a package upgraded in place under a long run).
"""

from __future__ import annotations

import subprocess
import sys

LATER = (
    "runbook_tui.ui.run_prompts",
    "runbook_tui.ui.step_whole",
    "runbook_tui.ui.copy_command",
    "runbook_tui.ui.panels_hidden",
    "runbook_tui.engine.capture_words",
)

# What `run` imports up to its first frame: the command, the launch (the app, its run screen, the session's modules).
IMPORTED = """
import sys
import runbook_tui.cli
import runbook_tui.ui.launch
print(" ".join(name for name in sys.argv[1:] if name in sys.modules))
"""


def test_run_imports_before_its_first_frame_none_of_the_modules_only_later_keys_need() -> None:
    done = subprocess.run([sys.executable, "-c", IMPORTED, *LATER], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [], f"imported before the first frame: {done.stdout}"
    assert (
        "runbook_tui.ui.run_screen"
        in subprocess.run([sys.executable, "-c", IMPORTED, "runbook_tui.ui.run_screen"], capture_output=True, text=True, timeout=120, check=True).stdout
    ), "the launch imports the run screen (else this test checks nothing)"


def test_each_later_module_still_imports_on_its_own() -> None:
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    subprocess.run([sys.executable, "-c", code, *LATER], timeout=120, check=True)
