"""The assignee's "bob left …: no verifier is connected now" toast goes when a verifier joins again.

Walked in tmux (alice 140x45 in `run --share`, bob 80x24 in `join`): bob closed `join` and started it again within
seconds (as a dropped link comes back by itself). Before: alice's header said `verifier bob connected` while the toast
beside it still said `bob left at …: no verifier is connected now; a step that needs a verifier's word waits for one`,
for the rest of its 15 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from run_screen_helpers import make_app, prepare_workdir, settled, started, until


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    prepare_workdir(tmp_path, monkeypatch)
    yield tmp_path


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
async def test_the_verifier_left_toast_goes_when_a_verifier_is_back(workdir: Path, size: tuple[int, int]) -> None:
    app = make_app(solo=None, verifier_in_process=True)
    async with app.run_test(size=size, notifications=True) as pilot:
        controller = await started(pilot)

        def toasts() -> list[str]:
            return [str(n.title) for n in app._notifications]

        app.notify("a toast of its own", title="Other", timeout=60)
        controller.join("bob", "verifier")
        controller.leave("bob", "verifier")
        await until(pilot, lambda: "Verifier left" in toasts(), "the notification that bob left")
        controller.join("bob", "observer")  # an observer verifies nothing: it stays true
        await settled(pilot)
        assert "Verifier left" in toasts()
        controller.join("bob", "verifier")
        await settled(pilot)  # at once, not when its 15 s are up
        assert toasts() == ["Other"], "the toast bob's return made untrue goes, and only it"
