"""The practice results' "why it matters" for a host that never ran the command: its error, not `exit None`."""

from __future__ import annotations

import socket
from pathlib import Path

from runbook_tui.engine.journal import read_events
from runbook_tui.engine.practice_results import compare
from tests.engine.test_exec_cli import run_exec

UNREACHABLE = """
runbook: 1
id: unreachable
title: A host nobody listens on
hosts:
  web:
    - {name: web1, address: 127.0.0.1, port: PORT}
sections:
  - id: main
    steps:
      - id: reload
        on: web
        run: systemctl reload nginx
"""


def test_a_host_that_could_not_be_reached_is_named_with_its_error(tmp_path: Path) -> None:
    """The night's step failed on web1 before anything ran there (connection refused): the trainer's table must say
    why (`web1 (cannot connect …)`), not `web1 (exit None)`."""
    with socket.socket() as bound:  # bound, never listening: a connection is refused, whoever else runs (port 1 is not, as root)
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        result = run_exec(tmp_path, UNREACHABLE.replace("PORT", str(port)), "unused-secret")
    assert result.returncode == 1, result.stderr
    [run] = [point for point in compare(read_events(tmp_path / "run.jsonl").events, []).points if point.night and point.night.kind == "run"]
    assert "None" not in run.why, run.why
    assert run.why.startswith(f"on the night it failed on web1 (cannot connect to web1 (127.0.0.1:{port})"), run.why


def test_a_step_that_passed_after_a_retry_never_reads_as_having_run_cleanly(tmp_path: Path) -> None:
    """On the night `flaky` failed its first try (exit 3) and passed its second: "why it matters" says so (it said
    `on the night it ran cleanly`: the attempt's end alone was read)."""
    from tests.report.test_retries import FLAKY, PICKY, exec_retried

    journal = exec_retried(tmp_path)
    why = {p.step: p.why for p in compare(journal, []).points if p.night and p.night.kind == "run"}
    assert why == {"flaky": f"on the night it succeeded after 1 retry ({FLAKY})", "picky": f"on the night it succeeded after 1 retry ({PICKY})"}, why


MANUAL = """\
    runbook: 1
    id: manual-night
    title: Manual night
    sections:
      - id: impl
        title: Change
        kind: implement
        steps:
          - {id: tell, title: Tell the team, note: "Announce the change on the bridge"}
          - {id: go, title: Go, run: echo go}
"""


def test_a_note_step_exec_acknowledged_with_no_person_never_reads_as_having_run_cleanly(tmp_path: Path) -> None:
    """`exec --ack-manual` marked the note step done with nobody reading it: practice's "why it matters" said `on the
    night it ran cleanly`, beside a trainee who had to do it (an `ask` so answered already said so)."""
    result = run_exec(tmp_path, MANUAL, "s3cr3t-words", "--ack-manual", "staging rehearsal, nobody on the bridge")
    assert result.returncode == 0, result.stdout + result.stderr
    [tell] = [p for p in compare(read_events(tmp_path / "run.jsonl").events, []).points if p.step == "tell"]
    assert tell.why == "on the night it was acknowledged without a person (--ack-manual): staging rehearsal, nobody on the bridge", tell.why


ROLLOUT = """
runbook: 1
id: rollout
title: A rollout stopped at its first wave
hosts:
  web:
    - {name: web1, address: 127.0.0.1, port: PORT}
    - {name: web2, address: 127.0.0.1, port: PORT}
    - {name: web3, address: 127.0.0.1, port: PORT}
sections:
  - id: main
    steps:
      - id: reload
        on: web
        serial: 1
        run: systemctl reload nginx
"""


def test_hosts_a_stopped_rollout_never_ran_are_not_said_to_have_failed(tmp_path: Path) -> None:
    """Walked at 140x45: `on the night it failed on web2 (exit 3), web3 (not run: the rollout stopped before this host's
    batch)`, web3 among the failed though nothing ran there; the night's exec said `1 not run` apart."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        result = run_exec(tmp_path, ROLLOUT.replace("PORT", str(port)), "unused-secret")
    assert result.returncode == 1, result.stderr
    [run] = [point for point in compare(read_events(tmp_path / "run.jsonl").events, []).points if point.night and point.night.kind == "run"]
    assert run.why.startswith("on the night it failed on web1 (cannot connect to web1"), run.why
    assert "web2 (" not in run.why and run.why.endswith("; not run on web2, web3: the rollout stopped before their batch"), run.why
