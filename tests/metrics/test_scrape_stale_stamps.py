"""An exporter's own timestamps read as Prometheus reads them: a sample stamped long before the scrape is no reading.

A stuck exporter cache, or a `/federate` page from a Prometheus whose scrapes stalled, keeps serving its last values
with their old timestamps. Prometheus reads none of them (checked by hand against Debian's Prometheus 2h-old samples:
`allold` answered an empty vector, `frozen` only its fresh series), so a Prometheus panel says no data and its guard
pauses. The scrape source took the old value as the current one: the guard stayed quiet on a frozen exporter.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_peer import hostile_peer
from metrics_helpers import journal, metrics_runbook, of_type

from runbook_tui.metrics.sources import PanelQuery, ScrapeSource


def page() -> bytes:
    """The exporter's page, stamped now: two series two hours old, one fresh, one with no timestamp."""
    old, now = int((time.time() - 7200) * 1000), int(time.time() * 1000)  # the exposition format's milliseconds
    return (
        "# TYPE frozen gauge\n"
        f'frozen{{service="api"}} 9 {old}\n'
        'frozen{service="web"} 1\n'
        "# TYPE allold gauge\n"
        f"allold 1 {old}\n"
        "# TYPE fresh gauge\n"
        f"fresh 2 {now}\n"
    ).encode()


#: Two hours old, give or take the test's own minutes (`1h59m`, `2h0m`).
AGE = r"(1h59m|2h[0-9]m)"
STALE = re.compile(rf"the value is stale: its last sample is {AGE} old \(the exporter's own timestamps\); no fresh data")
SOME = re.compile(rf"1 of 2 series last sampled up to {AGE} ago \(the exporter's own timestamps\): stale, the value is of the other 1")


@pytest.mark.asyncio
async def test_a_series_its_exporter_stamped_long_ago_is_stale_as_prometheus_reads_it() -> None:
    with hostile_peer(answers={"metrics": (200, page())}) as peer:
        source = ScrapeSource(f"{peer.url}/metrics")
        read = await source.poll([PanelQuery("all", "allold"), PanelQuery("some", "frozen"), PanelQuery("now", "fresh")])
    assert read["all"].value is None and STALE.fullmatch(str(read["all"].error)), read["all"]  # before: 1, as if current
    assert read["some"].value == 1 and SOME.fullmatch(str(read["some"].note)), read["some"]  # before: 9, the frozen series' old value
    assert read["now"].value == 2 and read["now"].note is None, read["now"]


def test_a_guard_over_a_frozen_exporter_pauses_the_run_for_no_data(write_runbook: Callable[[str], Path], tmp_path: Path) -> None:
    """Before: the frozen value read 1, below the line; the guard stayed quiet and exec ended `done`."""
    with hostile_peer(answers={"metrics": (200, page())}) as peer:
        panels = "- {id: lag, query: 'allold', critical: 5, for: 0s, on_critical: pause}"
        sections = '- id: s\n  kind: implement\n  steps:\n    - {id: one, run: "sleep 2", verify: none}\n    - {id: two, run: "true", verify: none}'
        path = write_runbook(metrics_runbook(f'scrape: {{url: "{peer.url}/metrics"}}', panels=panels, sections=sections, interval="0.2s"))
        went = subprocess.run(
            [sys.executable, "-m", "runbook_tui", "exec", str(path), "--solo", "t", "--journal", str(tmp_path / "j.jsonl")],
            capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    events = journal(tmp_path / "j.jsonl")
    [trip] = of_type(events, "guard_tripped")
    assert trip["no_data"] is True and STALE.fullmatch(trip["error"]), trip
    assert went.returncode == 1 and of_type(events, "paused") and not of_type(events, "session_finished"), went.stdout + went.stderr
