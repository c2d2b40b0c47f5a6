"""`runbook-tui run FILE --solo R` reads the settings file once per start.

The command checked the settings before anything started (a wrong value is a usage error), then read them again for the
trust options and a third time as the session opened: three reads and parses of the same file before the first frame.
The settings checked are now the ones the trust options and the session use.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from run_screen_helpers import SIZE, prepare_workdir, until

from runbook_tui.app import settings as settings_module
from runbook_tui.cli import main
from runbook_tui.ui import launch
from runbook_tui.ui.app import RunbookApp


def test_a_run_reads_the_settings_file_once_and_its_session_uses_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_workdir(tmp_path, monkeypatch)
    (tmp_path / "settings.yaml").write_text("max_concurrency: 7\n", encoding="utf-8")
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "settings.yaml"))
    reads: list[Path] = []
    read_limited = settings_module.read_limited

    def counted(path: Path, limit: int, **options: bool) -> bytes:
        reads.append(path)
        return read_limited(path, limit, **options)

    monkeypatch.setattr(settings_module, "read_limited", counted)
    opened: list[int] = []

    async def shown(app: RunbookApp) -> None:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.handle is not None and app.screen.is_mounted, "the run screen")
            assert app.handle is not None
            opened.append(app.handle.controller.max_concurrency)
            app.exit(0)

    monkeypatch.setattr(launch, "_launch", lambda app: asyncio.run(shown(app)) or 0)
    assert main(["run", "runbook.yaml", "--solo", "ui test", "--journal", "j.jsonl"]) == 0
    assert opened == [7], "the session runs with the settings the command checked"
    assert len(reads) == 1, f"the settings file was read {len(reads)} times for one start"
