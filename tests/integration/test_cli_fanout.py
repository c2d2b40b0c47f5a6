"""Rolling fan-out over 20 host aliases of a real sshd, through `runbook-tui exec`."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from integration_cli import Cli, events, of_type, peer_names

pytestmark = pytest.mark.peers

N = 20
SERIAL = [1, "25%", "100%"]
#: Batches `serial: [1, "25%", "100%"]` makes of 20 hosts: 1, then 25 % (5), then the rest.
BATCHES = [peer_names(N)[:1], peer_names(N)[1:6], peer_names(N)[6:]]
#: Hosts of the second batch whose command fails in the max_fail test.
FAILING = {"peer03", "peer04", "peer06"}


def rollout(cli: Cli, *, fail_on: set[str], max_fail: int = 0) -> Path:
    # Each host leaves DIR/<host>.ran with its start and end times (ns), so the test can see
    # which hosts ran and that a batch started only after the one before it had ended.
    failing = "|".join(sorted(fail_on)) or "none"
    step: dict[str, Any] = {
        "id": "roll",
        "title": "Roll out",
        "on": "g",
        "serial": SERIAL,
        "max_fail": max_fail,
        "run": (
            "f={{ dir }}/{{ host.name }}.ran; echo start $(date +%s%N) > $f; sleep 0.2; echo end $(date +%s%N) >> $f\n"
            f"case {{{{ host.name }}}} in {failing}) echo failing on purpose >&2; exit 1;; esac\n"
        ),
        "undo": "true",
    }
    return cli.runbook("rollout", [{"id": "impl", "title": "Implement", "kind": "implement", "steps": [step]}], hosts=N, params={"dir": {"type": "string"}})


def ran(cli: Cli) -> dict[str, tuple[int, int]]:
    """host -> (start ns, end ns) for every host whose command ran."""
    times = {}
    for path in cli.dir.glob("peer*.ran"):
        fields = dict(line.split() for line in path.read_text().splitlines())
        times[path.name.removesuffix(".ran")] = (int(fields["start"]), int(fields.get("end", 0)))
    return times


def test_serial_batches_run_in_order_on_all_20_hosts(cli: Cli) -> None:
    path = rollout(cli, fail_on=set())
    result = cli.run("exec", str(path), "-p", f"dir={cli.dir}", "--solo", "integration", "--journal", "j.jsonl")
    assert result.returncode == 0, result.stdout + result.stderr

    journal = events(cli.dir / "j.jsonl")
    [finished] = of_type(journal, "step_finished", step="roll")
    assert finished["status"] == "done"
    assert sorted(finished["hosts"]) == peer_names(N)
    assert {h: r["status"] for h, r in finished["hosts"].items()} == dict.fromkeys(peer_names(N), "done")
    assert journal[-1]["type"] == "session_finished" and journal[-1]["outcome"] == "done"

    times = ran(cli)
    assert sorted(times) == peer_names(N)
    for before, after in itertools.pairwise(BATCHES):
        last_end = max(times[h][1] for h in before)
        first_start = min(times[h][0] for h in after)
        assert first_start >= last_end, f"batch starting with {after[0]} began before the batch of {before[0]} ended"


def test_max_fail_stops_the_rollout_before_the_next_batch(cli: Cli) -> None:
    path = rollout(cli, fail_on=FAILING, max_fail=1)
    result = cli.run("exec", str(path), "-p", f"dir={cli.dir}", "--solo", "integration", "--journal", "j.jsonl")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr

    journal = events(cli.dir / "j.jsonl")
    [finished] = of_type(journal, "step_finished", step="roll")
    assert finished["status"] == "failed"
    statuses = {h: r["status"] for h, r in finished["hosts"].items()}
    first_two = BATCHES[0] + BATCHES[1]
    assert statuses == {
        **{h: ("failed" if h in FAILING else "done") for h in first_two},
        **dict.fromkeys(BATCHES[2], "skipped"),
    }
    assert all(finished["hosts"][h]["exit_code"] == 1 for h in FAILING)
    # Skipped means not run: no host of the third batch left its marker.
    assert sorted(ran(cli)) == sorted(first_two)
    assert journal[-1]["type"] == "session_finished" and journal[-1]["outcome"] == "failed"


def test_expect_stdout_naming_the_host_is_each_hosts_own(cli: Cli) -> None:
    """The spec renders `host` in expect just before the step: on a group, each host's pattern names that host.
    Before, the pattern was rendered once, for the first host, so `^{{ host.name }}$` failed every other host
    ('peer02: stdout did not match /^peer01$/')."""
    step = {"id": "who", "title": "Who", "on": "g", "run": "echo {{ host.name }}", "expect": {"stdout": "^{{ host.name }}$"}}
    path = cli.runbook("expect-host", [{"id": "impl", "title": "Implement", "steps": [step]}], hosts=3)
    result = cli.run("exec", str(path), "--solo", "integration", "--journal", "j.jsonl")
    assert result.returncode == 0, result.stdout + result.stderr
    [finished] = of_type(events(cli.dir / "j.jsonl"), "step_finished", step="who")
    assert {h: r["status"] for h, r in finished["hosts"].items()} == dict.fromkeys(peer_names(3), "done"), finished

    step["run"] = "echo peer01"  # and a host whose output is another's still fails, with its own pattern
    path = cli.runbook("expect-host", [{"id": "impl", "title": "Implement", "steps": [step]}], hosts=3)
    result = cli.run("exec", str(path), "--solo", "integration", "--journal", "j2.jsonl")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "peer02: stdout did not match /^peer02$/" in result.stdout, result.stdout
    [finished] = of_type(events(cli.dir / "j2.jsonl"), "step_finished", step="who")
    assert {h: r["status"] for h, r in finished["hosts"].items()} == {"peer01": "done", "peer02": "failed", "peer03": "failed"}, finished
