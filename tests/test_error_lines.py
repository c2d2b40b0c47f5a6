"""An error nobody foresaw, caught by a last-resort handler (`log.exception`) or left in an asyncio task, reaches
`exec`'s stderr as one line in words: before, Python's last-resort printer put the whole traceback there."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import asyncio, gc, logging
    from runbook_tui.cli import error_lines

    error_lines.install()
    try:
        raise RuntimeError("boom \\x1b[2J [bold]x[/]")
    except RuntimeError:
        logging.getLogger("runbook_tui.engine.runner").exception("step %s crashed", "deploy")

    async def lost() -> None:
        raise ValueError("never retrieved")

    async def main() -> None:
        asyncio.get_running_loop().create_task(lost())
        await asyncio.sleep(0)

    asyncio.run(main())
    gc.collect()
    """
)


def test_an_unforeseen_error_is_one_line_on_stderr_not_a_traceback() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert "Traceback" not in done.stderr, done.stderr
    assert lines[0] == "runbook-tui: step deploy crashed: RuntimeError: boom ␛[2J [bold]x[/] (an unexpected error; please report it)", lines
    assert len(lines) == 2 and lines[1].startswith("runbook-tui: Task exception was never retrieved"), lines
    assert lines[1].endswith("ValueError: never retrieved (an unexpected error; please report it)"), lines
