"""Write the journals the report tests read: tests/report/data/{change,solo}.jsonl.

Run once, commit the journals, then regenerate the goldens:

    .venv/bin/python tests/report/make_fixture.py
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report

The runs go through the real Controller and JournalWriter (the same events a
live run writes, hash-chained), with scripted hosts instead of SSH and a
clock that only moves when the script says, so the journals come out the
same on every machine:

- change.jsonl: a shared run (alice assignee, bob verifier): a rejection and
  a re-run, a skipped note step, a go-ahead, a failed attempt, bob's request
  to roll back to the checkpoint and that rollback, then the re-run, the
  process dying mid-step and `resume` with the step marked done by hand
  (unverified), metric samples, a guard trip that pauses, the verifier
  asking for a rollback, the success criterion measured and not met, a
  rollback to the checkpoint, notes, a post-change
  review; `<script>` and a secret in command output.
- solo.jsonl: the same runbook run solo, started outside the window with an
  override, every step done and unverified.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import shutil
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from runbook_tui.engine import events as ev
from runbook_tui.engine.autopilot import Policy, drive
from runbook_tui.engine.controller import SYSTEM, Actor, Controller
from runbook_tui.engine.journal import JournalWriter, read_events
from runbook_tui.engine.ports import Command, OutputSink, Result, StatusSink, StopSignal
from runbook_tui.engine.redact import Redactor
from runbook_tui.engine.state import replay
from runbook_tui.metrics.guards import Trip, check_words, panel_json
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.runbook.model import Host
from runbook_tui.runbook.plan import check_json

DATA = Path(__file__).parent / "data"
RUNBOOK = DATA / "h2-rollout.yaml"
#: The runs happen here, so the journal's absolute `path` is the same on every machine.
WORKDIR = Path("/tmp/runbook-tui-report-fixture")
TOKEN = "s3cr3t-probe-7f1c"

ALICE = Actor("alice", "assignee")
BOB = Actor("bob", "verifier")


class Clock:
    """The journal's clock: each event takes 0.1 s; `advance` stands for commands and people taking time."""

    def __init__(self, start: str) -> None:
        self.now = dt.datetime.fromisoformat(start)

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)

    def __call__(self) -> str:
        self.now += dt.timedelta(milliseconds=100)
        return self.now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Reply:
    out: str = ""
    err: str = ""
    exit: int = 0
    seconds: float = 1.0


HANG = Reply(seconds=-1)


class ScriptedHosts:
    """An Executor answering from a script keyed by (step, "run1"/"undo2", host); no process, no network."""

    def __init__(self, clock: Clock, script: Mapping[tuple[str, str, str], Reply | list[Reply]]) -> None:
        self.clock = clock
        self.script = script
        self.asked: dict[tuple[str, str, str], int] = {}

    async def run(self, command: Command, output: OutputSink, status: StatusSink | None = None) -> Result:
        step = command.key.split("/")[1]
        match = re.match(r"(run|undo)\d+", command.key.rsplit("/", 1)[-1])
        assert match, command.key
        key = (step, match.group(0), command.host.name)
        reply = self.script.get(key, Reply())
        if isinstance(reply, list):  # one reply per time the key is asked for (a re-run following the run left there)
            asked = self.asked[key] = self.asked.get(key, -1) + 1
            reply = reply[min(asked, len(reply) - 1)]
        if reply is HANG:
            await asyncio.Event().wait()  # the process dies while this runs
        await asyncio.sleep(0)
        if reply.out:
            output("stdout", reply.out.encode())
        if reply.err:
            output("stderr", reply.err.encode())
        self.clock.advance(reply.seconds)
        return Result("ok", reply.exit)

    async def release(self, hosts: Sequence[Host]) -> None:
        """Nothing is held per host."""

    async def close(self) -> None:
        pass


def controller(path: Path, clock: Clock, hosts: ScriptedHosts, **options: object) -> Controller:
    runbook = load_runbook(RUNBOOK.name, {}).runbook
    writer = JournalWriter(path, Redactor([TOKEN]), clock=clock)
    return Controller(runbook, writer, lambda host: hosts, assignee="alice", secrets={"probe_token": TOKEN}, **options)  # type: ignore[arg-type]


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Metrics:
    """Journals what the metrics layer (runbook_tui.metrics.poller) journals, with readings the script gives."""

    def __init__(self, ctl: Controller, clock: Clock) -> None:
        self.ctl, self.clock = ctl, clock
        assert ctl.runbook.metrics is not None
        self.metrics = ctl.runbook.metrics
        self.units = {p.id: p.unit for p in self.metrics.panels}
        self.baselined: set[str] = set()

    def criteria(self) -> list[dict[str, object]]:
        return [{**check_json(c), "text": check_words(c, self.units[c.panel])} for c in self.metrics.success]

    def start(self) -> None:
        self.ctl.emit(
            ev.METRICS_STARTED, SYSTEM, source={"kind": "scrape", "url": "http://127.0.0.1:9100/metrics"}, interval=5.0, timeout=4.0,
            panels=[panel_json(p, p.query.shown()) for p in self.metrics.panels], success=self.criteria(),
        )  # fmt: skip

    def sample(self, **values: float | None) -> None:
        for panel, value in values.items():
            error = None if value is not None else "scrape timed out after 4s"
            self.ctl.emit(ev.METRIC_SAMPLE, SYSTEM, panel=panel, value=value, ts_sample=iso(self.clock.now), error=error)
            if value is not None and panel not in self.baselined:
                self.baselined.add(panel)
                self.ctl.emit(
                    ev.METRIC_BASELINE, SYSTEM, panel=panel, value=value, error=None, basis="first reading of the session (an exporter keeps no history)"
                )
        self.clock.advance(5)

    def trip(self, panel: str, readings: list[float]) -> None:
        info = self.metrics.panel(panel)
        assert info.critical is not None
        now = self.clock.now.timestamp()
        samples = tuple((now - 5 * (len(readings) - 1 - i), v) for i, v in enumerate(readings))
        trip = Trip(panel, readings[-1], info.critical, info.direction, info.for_seconds, info.on_critical, samples[0][0], samples)
        self.ctl.emit(ev.GUARD_TRIPPED, SYSTEM, **trip.payload(), title=info.title, unit=info.unit, words=trip.words(info.unit))

    async def success(self, when: str, value: float, met: bool = True) -> None:
        self.ctl.emit(ev.SUCCESS_CHECK_STARTED, SYSTEM, when=when, criteria=self.criteria(), until=iso(self.clock.now + dt.timedelta(minutes=10)))
        self.clock.advance(5)
        for check, text in zip(self.metrics.success, self.criteria()):
            verdict = "met" if met else "NOT met"
            words = f"{text['text']}: {verdict} ({value:g}{self.units[check.panel]})"
            self.ctl.emit(ev.SUCCESS_CHECKED, SYSTEM, criterion=text, met=met, value=value, when=when, words=words)


async def step(ctl: Controller, actor: Actor = ALICE, **options: object) -> None:
    reply = ctl.run_current(actor, acknowledged=True, **options)  # type: ignore[arg-type]
    assert reply.ok, reply.message
    await ctl.wait_idle()


def ok(reply: object) -> None:
    assert getattr(reply, "ok", False), getattr(reply, "message", reply)


CHANGE_SCRIPT = {
    ("health", "run1", "web1"): Reply(out="ok <script>alert('pwned')</script>\n", seconds=0.4),
    ("health", "run1", "web2"): Reply(out=f"ok (slow: 4.1s) token {TOKEN} accepted\n", seconds=4.1),
    ("health", "run2", "web1"): Reply(out="ok\n", seconds=0.3),
    ("health", "run2", "web2"): Reply(out="ok ``` | pipes | and `ticks`\n", seconds=0.4),
    ("backup-config", "run1", "web1"): Reply(out="1795453347\n", seconds=0.2),
    ("backup-config", "run1", "web2"): Reply(out="1795453347\n", seconds=0.2),
    ("install-config", "run1", "web1"): Reply(err="nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n", seconds=1.2),
    ("install-config", "run1", "web2"): Reply(
        err="nginx: [emerg] duplicate listen options for 0.0.0.0:443 in /etc/nginx/conf.d/old-h1.conf:3\n", exit=1, seconds=1.1
    ),
    ("install-config", "run2", "web1"): Reply(err="nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n", seconds=1.2),
    ("install-config", "run2", "web2"): Reply(err="nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n", seconds=1.3),
    ("reload", "run1", "web1"): Reply(out="Reloading nginx configuration (web1)\n", seconds=2.0),
    ("reload", "run1", "web2"): HANG,
    ("reload", "undo1", "web1"): Reply(out="reloaded\n", seconds=2.1),
    ("reload", "undo1", "web2"): Reply(out="reloaded\n", seconds=2.3),
    ("install-config", "undo1", "web1"): Reply(seconds=0.3),
    ("install-config", "undo1", "web2"): Reply(err="cp: cannot stat '/etc/nginx/nginx.conf.bak': retried from the copy\n", seconds=0.3),
    ("install-config", "undo2", "web1"): Reply(seconds=0.2),
    ("install-config", "undo2", "web2"): Reply(seconds=0.2),
}


async def change_run(path: Path) -> None:
    clock = Clock("2026-11-23T17:01:00+00:00")
    hosts = ScriptedHosts(clock, CHANGE_SCRIPT)
    ctl = controller(path, clock, hosts)
    metrics = Metrics(ctl, clock)
    sample = metrics.sample
    ctl.start(journal_path=path.name)
    metrics.start()
    ctl.join("bob", "verifier")
    sample(errors=0.31, p99=182)

    await step(ctl)  # health: bob wants it again
    clock.advance(40)
    ok(ctl.reject(BOB, "web2 answered in 4.1 s; run it again before we touch anything"))
    await step(ctl)
    clock.advance(20)
    ok(ctl.confirm(BOB))
    ok(ctl.skip(ALICE, "announced on the bridge call instead; #ops is down"))

    ok(ctl.run_current(ALICE))  # backup-config: verify both, so first the go-ahead
    clock.advance(15)
    ok(ctl.confirm(BOB))
    await step(ctl)
    clock.advance(30)
    ok(ctl.confirm(BOB))
    sample(errors=0.29, p99=185)

    await step(ctl)  # install-config fails on web2; bob asks to go back to the backup before retrying
    clock.advance(30)
    ok(ctl.request_rollback(BOB, "web2 may hold a half-installed config; back to the backup before the retry"))
    clock.advance(10)
    ok(ctl.rollback(ALICE, "checkpoint", acknowledged=True, reason="back to the backup before retrying install-config"))
    await ctl.wait_idle()
    clock.advance(90)
    ok(ctl.note(ALICE, "web2 had a stale conf.d/old-h1.conf; removed it by hand (see INC-8812)"))
    await step(ctl)
    clock.advance(25)
    ok(ctl.confirm(BOB))
    sample(errors=0.33, p99=188)

    # reload: web1 reloads, then the laptop dies while web2 reloads.
    ok(ctl.run_current(ALICE, acknowledged=True))
    for _ in range(20):
        await asyncio.sleep(0)
    ctl.journal.flush()
    task = ctl._task
    assert task is not None
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    ctl.journal.close()
    last = read_events(path).events[-1]
    assert last["type"] in (ev.OUTPUT, ev.STEP_STARTED, ev.WAVE_STARTED), last  # web2 hangs in its wave

    # resume: the state from the journal alone, as `runbook-tui resume` rebuilds it
    clock.advance(180)
    state = replay(read_events(path).events)
    ctl = controller(path, clock, hosts, state=state)
    metrics = Metrics(ctl, clock)
    metrics.baselined = {"errors", "p99"}
    sample = metrics.sample
    ctl.resumed(4242)
    ctl.join("bob", "verifier")
    clock.advance(60)
    ok(ctl.mark_done(ALICE, "checked by hand: nginx -T on web2 shows http2 on and a reload at 17:09"))
    sample(errors=0.42, p99=None)
    ctl.emit(ev.ERROR, SYSTEM, message="metrics (p99): scrape timed out after 4s; the run goes on, panels keep trying", transient=True, metrics=True)
    sample(errors=0.95, p99=214)

    await step(ctl)  # watch
    sample(errors=1.6, p99=262)
    sample(errors=2.4, p99=301)
    sample(errors=2.7, p99=318)
    metrics.trip("errors", [2.4, 2.7])
    ok(ctl.pause(SYSTEM, "guard 'errors' tripped: 2.7% above 2% for 30s; check the panels, then p resumes or u rolls back"))
    clock.advance(20)
    ok(ctl.note(BOB, "all the 5xx come from h2 clients on web2"))
    await metrics.success("verify", 2.7, met=False)
    ok(ctl.request_rollback(BOB, "5xx above 2 % since the reload"))
    clock.advance(15)
    ok(ctl.confirm(BOB))  # bob confirms the wait step itself: it ran as planned
    ok(ctl.rollback(ALICE, "checkpoint", acknowledged=True, reason="5xx guard tripped after the reload"))
    await ctl.wait_idle()
    sample(errors=0.8, p99=205)
    sample(errors=0.35, p99=184)
    clock.advance(300)
    ctl.emit(
        "review",
        ALICE,
        planned="Backup, config test and the rolling reload went as written; the rollback took under a minute.",
        surprised="web2 still had an HTTP/1 include from INC-8812.\nThe h2 error rate only showed on web2 <after> the reload.",
        change="Add a pre-check listing conf.d on every host; canary one host before the flag.",
    )
    ctl.leave("bob", "verifier")
    ok(ctl.finish(ALICE, "rolled_back"))
    ctl.journal.close()


async def solo_run(path: Path) -> None:
    clock = Clock("2026-11-23T18:05:00+00:00")
    hosts = ScriptedHosts(clock, {("smoke", "run1", "local"): Reply(out="200 h2 /\n200 h2 /cart\n", seconds=3.0)})
    ctl = controller(path, clock, hosts, solo="bob is out sick; approved by the on-call lead")
    metrics = Metrics(ctl, clock)
    ctl.start(window_override="window moved by one hour, agreed in CHG-3107", journal_path=path.name)
    metrics.start()
    metrics.sample(errors=0.3, p99=180)
    ok(ctl.note(ALICE, "running solo; the on-call lead watches the dashboards"))
    ctl.subscribe(lambda event, state: metrics.sample(errors=0.4, p99=190) if event["type"] == ev.STEP_FINISHED else None)

    async def final_check(_stop: StopSignal) -> None:
        await metrics.success("end", 0.38)

    ctl.before_finish = final_check
    outcome = await drive(ctl, ALICE, policy=Policy(ack_manual="solo run: alice posted the announcement herself"))
    assert outcome == "done", outcome
    ctl.journal.close()


def main() -> int:
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    shutil.copy(RUNBOOK, WORKDIR / RUNBOOK.name)
    here = os.getcwd()
    os.chdir(WORKDIR)
    ids = iter(uuid.UUID(int=n) for n in range(1, 100))
    try:
        with mock.patch("uuid.uuid4", lambda: next(ids)):
            for name, run in (("change.jsonl", change_run), ("solo.jsonl", solo_run)):
                target = WORKDIR / name
                asyncio.run(run(target))
                shutil.copy(target, DATA / name)
                print(f"wrote {DATA / name}: {len(read_events(target).events)} events")
    finally:
        os.chdir(here)
        shutil.rmtree(WORKDIR, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
