"""Benchmark: a long run's journal (200,000 events): `resume` and `replay` first frames, a verifier's join and catch-up.

A night-long change journals hundreds of thousands of events (output of long
steps, metric samples). What a person waits for must not grow with them:

- `resume`: `runbook-tui resume JOURNAL` of a run whose process died while
  its second step ran (a copy per run: resume appends to it), from spawning
  the process to its first painted run screen (`RunScreen.on_mount`, then
  the frame after it: as `bench/first_paint.py` marks it);
- `replay`: `runbook-tui replay JOURNAL` of the finished run, from spawning
  the process to its first painted replay screen;
- `verifier`: the assignee's side resumes the same journal shared
  (`resume_session(..., share=...)`, in this process, as `resume --share`
  wires it); a verifier (`ShareClient`, its own process) connects: from
  spawning that process to its replica holding the last event (imports,
  SSH handshake, welcome, and the catch-up of every event folded with
  `apply()`). `joined` is when its connection was up and welcomed. As
  `runbook-tui join` (a screen command), it collects no cycles while it
  starts and freezes what its start made once joined (`join` does after its
  first frame), then collects as usual through the catch-up.

Each TUI child runs in a 140x45 pty (the real Linux driver, output drained
by the parent). The journal is made once: a real two-step `exec` run
(`--solo`), whose second step's output is multiplied to EVENTS events in
all, hash-chained as the writer chains them (written without fsync); the
resumed copy ends while step two runs. Bytecode caches are on (an
installed tool has them), and one untimed run of each variant warms them.

Run: `.venv/bin/python bench/long_run.py [--events 200000] [--reps 3] [--check]`.
Aim: each median <= 3 s on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pty_frame import first_frame_in_pty, mark_and_exit  # noqa: E402  (bench/, next to this script)

T = TypeVar("T")
AIM_SECONDS = 3.0
HOST = "127.0.0.1"
RUNBOOK = """\
runbook: 1
id: long
title: A long run
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Step one
        run: echo one
        undo: "true"
      - id: two
        title: Step two, which prints for hours
        run: echo two
        undo: "true"
"""


def child_env(work: Path) -> dict[str, str]:
    """The children's environment: no settings file, state under the work dir, bytecode caches on (in the work dir)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    (work / "no-settings.yaml").touch()  # empty: the defaults (a named settings file that is missing is an error)
    env.update(
        PYTHONPYCACHEPREFIX=str(work / "pycache"),
        RUNBOOK_TUI_SETTINGS=str(work / "no-settings.yaml"),
        XDG_STATE_HOME=str(work / "state"),
        XDG_CONFIG_HOME=str(work / "config"),
        RUNBOOK_TUI_USER="bench",
    )
    return env


# -- the journal ---------------------------------------------------------------------------------------


def make_journals(work: Path, total: int) -> tuple[Path, Path]:
    """(cut, full): the run died while step two printed / the same run finished; `total` events in the full one."""
    from runbook_tui.engine.journal import canonical

    (work / "R.yaml").write_text(RUNBOOK, encoding="utf-8")
    small = work / "small.jsonl"
    subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "R.yaml", "--solo", "bench", "--journal", str(small)],
        cwd=work, env=child_env(work), check=True, capture_output=True,
    )  # fmt: skip
    events = [json.loads(line) for line in small.read_bytes().splitlines()]
    [output] = [e for e in events if e["type"] == "output" and e["step"] == "two"]
    at = events.index(output)
    head, tail = events[:at], events[at + 1 :]
    count = total - len(head) - len(tail)
    filler = "x" * 60

    def chained(path: Path, outputs: int, ending: list[dict[str, Any]]) -> Path:
        prev, seq = "", 0
        with path.open("wb") as out:
            for event in [*head, *({**output, "text": f"line {n:07d} {filler}\n", "chunk": n} for n in range(outputs)), *ending]:
                obj = {k: v for k, v in event.items() if k != "hash"}
                obj.update(seq=seq, prev=prev)
                obj["hash"] = prev = hashlib.sha256(canonical(obj)).hexdigest()
                out.write(canonical(obj) + b"\n")
                seq += 1
        path.chmod(0o600)
        return path

    return chained(work / "cut.jsonl", count + len(tail), []), chained(work / "full.jsonl", count, tail)


# -- the TUI children (in a pty) --------------------------------------------------------------------


def child_tui(variant: str, marker: str, journal: str) -> None:
    from runbook_tui.cli import main

    if variant == "resume":
        from runbook_tui.ui.run_screen import RunScreen as Screen
    else:
        from runbook_tui.ui.replay_screen import ReplayScreen as Screen  # type: ignore[assignment]
    mounted = Screen.on_mount

    def on_mount(self: Any) -> None:
        mounted(self)
        self.call_after_refresh(mark_and_exit, marker)

    Screen.on_mount = on_mount  # type: ignore[method-assign]
    main([variant, journal])


def tui(variant: str, work: Path, cut: Path, full: Path) -> float:
    marker = work / f"marker-{variant}-{time.monotonic_ns()}"
    journal = full
    if variant == "resume":
        journal = work / f"resume-{time.monotonic_ns()}.jsonl"
        shutil.copyfile(cut, journal)
        journal.chmod(0o600)
    try:
        return first_frame_in_pty([sys.executable, __file__, "--child", variant, str(marker), str(journal)], child_env(work), marker)
    finally:
        if journal != full:
            journal.unlink(missing_ok=True)


# -- the verifier ------------------------------------------------------------------------------------


async def child_verifier(port: int, known_hosts: str, key: str, until: int, out: str, spawned: float) -> None:
    # As `runbook-tui join` (a screen command: `cli.SCREEN_COMMANDS`): no cyclic collection while it starts, then what the
    # start made frozen and collection back on (`base_app._collect_from_now`, after its first frame; here once joined).
    gc.disable()
    from runbook_tui.share.client import Endpoint, ShareClient

    copy_dir = str(Path(known_hosts).parent / f"received-{os.getpid()}")  # its own copy of the events, as `join` keeps one
    client = ShareClient(Endpoint(HOST, port, known_hosts, key, copy_dir=copy_dir), reconnect_delays=(0.2,))
    imported = time.time()
    caught_up = asyncio.Event()
    client.subscribe(lambda event, state: caught_up.set() if state.seq >= until else None)
    drops: list[str] = []
    client.on_status(drops.append)
    await client.connect()
    gc.freeze()
    gc.enable()
    joined = time.time()
    reading = asyncio.create_task(client.run())
    await asyncio.wait_for(caught_up.wait(), 300)
    done = time.time()
    Path(out).write_text(
        json.dumps({"imported": imported - spawned, "joined": joined - spawned, "caught_up": done - spawned, "cpu": time.process_time(), "status": drops})
    )
    reading.cancel()
    await client.close()


async def verifier(work: Path, cut: Path, reps: int) -> list[dict[str, float]]:
    """Resume `cut` shared in this process; a verifier process joins and catches up, `reps` + 1 times (the first untimed)."""
    import asyncssh

    from runbook_tui.app.session import ShareOptions, resume_session
    from runbook_tui.share.client import host_key_entry
    from runbook_tui.share.participants import Participant

    journal = work / "shared.jsonl"
    shutil.copyfile(cut, journal)
    journal.chmod(0o600)
    key = asyncssh.generate_private_key("ssh-ed25519", comment="verifier")
    key.write_private_key(str(work / "verifier"))
    port = _free_port()
    options = ShareOptions(f"{HOST}:{port}", (Participant("verifier", "verifier", key.get_fingerprint()),), work / "share_host_key")
    os.environ.update({k: v for k, v in child_env(work).items() if k.startswith(("RUNBOOK_TUI", "XDG"))})
    session = resume_session(str(journal), share=options)
    samples = []
    try:
        await session.start()
        assert session.share is not None
        known_hosts = work / "known_hosts"
        known_hosts.write_text(host_key_entry(HOST, port, session.share.host_key), encoding="utf-8")
        until = session.controller.state.seq
        for rep in range(reps + 1):
            out = work / f"verifier-{rep}.json"
            argv = [sys.executable, __file__, "--child-verifier", str(port), str(known_hosts), str(work / "verifier"), str(until), str(out)]
            proc = await asyncio.create_subprocess_exec(*argv, str(time.time()), env=child_env(work), stderr=asyncio.subprocess.PIPE)
            _, err = await asyncio.wait_for(proc.communicate(), 600)
            if proc.returncode != 0:
                raise SystemExit(f"verifier exited {proc.returncode}:\n{err.decode(errors='replace')[-3000:]}")
            if rep:
                samples.append(json.loads(out.read_text()))
            while session.controller.state.participants:  # the next one joins afresh
                await asyncio.sleep(0.05)
    finally:
        await session.close()
    return samples


def parse_floor(journal: Path) -> float:
    """Seconds to read and `json.loads` every line (no check, no fold): what any reader of the whole journal pays."""
    started = time.perf_counter()
    with journal.open("rb") as handle:
        for line in handle:
            json.loads(line)
    return time.perf_counter() - started


def profiled(run: Callable[[], T], name: str) -> T:
    """`run()`, under cProfile when BENCH_PROFILE names a folder (the stats go to NAME.prof there: `--profile`)."""
    folder = os.environ.get("BENCH_PROFILE")
    if not folder:
        return run()
    import cProfile

    profile = cProfile.Profile()
    try:
        return profile.runcall(run)
    finally:
        profile.dump_stats(str(Path(folder) / f"{name}-{os.getpid()}.prof"))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# -- main -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000, help="events in the journal (default 200,000)")
    parser.add_argument("--reps", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument("--check", action="store_true", help="exit 1 if an aim is missed")
    parser.add_argument("--only", choices=("verifier",), help="measure only this (the verifier's join and catch-up)")
    parser.add_argument("--profile", metavar="DIR", help="profile the verifier's and the assignee's processes (cProfile stats to DIR)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child-verifier", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_tui(*args.child)
        return 0
    if args.child_verifier:
        port, known_hosts, key, until, out, spawned = args.child_verifier
        profiled(lambda: asyncio.run(child_verifier(int(port), known_hosts, key, int(until), out, float(spawned))), "verifier")
        return 0

    if args.profile:
        os.environ["BENCH_PROFILE"] = str(Path(args.profile).resolve())  # the verifier's child inherits it
    with tempfile.TemporaryDirectory(prefix="bench-long-run-") as folder:
        work = Path(folder)
        started = time.monotonic()
        cut, full = make_journals(work, args.events)
        made = time.monotonic() - started
        print(f"journal of {args.events:,} events ({full.stat().st_size / 1e6:.0f} MB) made in {made:.1f} s; load average {os.getloadavg()[0]:.1f}", flush=True)
        times: dict[str, list[float]] = {"resume": [], "replay": []}
        labels = {"resume": "resume: first frame", "replay": "replay: first frame", "verifier": "verifier: joined and caught up"}
        print(f"{'what':<34} {'median s':>9} {'min s':>7} {'max s':>7}", flush=True)

        def show(name: str) -> None:
            values = times[name]
            print(f"{labels[name]:<34} {statistics.median(values):>9.2f} {min(values):>7.2f} {max(values):>7.2f}", flush=True)

        if args.only:
            times.clear()
        for variant in times:
            tui(variant, work, cut, full)  # untimed: fills the bytecode cache
        for _ in range(args.reps):
            for variant in times:
                times[variant].append(tui(variant, work, cut, full))
        for variant in list(times):
            show(variant)
        joins = profiled(lambda: asyncio.run(verifier(work, cut, args.reps)), "assignee")
        times["verifier"] = [sample["caught_up"] for sample in joins]
        for sample in joins:
            if len(sample["status"]) > 1:  # more than "joined": the connection dropped during the catch-up
                print(f"verifier: {len(sample['status'])} status messages: {sample['status'][:3]}", flush=True)
        show("verifier")
        floor = parse_floor(full)
    print(f"floor: json.loads of every line of the journal in one process: {floor:.2f} s (the load of the machine shows here too)")
    print(
        f"(verifier: imports done {statistics.median(s['imported'] for s in joins):.2f} s, "
        f"joined {statistics.median(s['joined'] for s in joins):.2f} s after its start; its CPU {statistics.median(s['cpu'] for s in joins):.2f} s in all)"
    )
    worst = max(statistics.median(values) for values in times.values())
    ok = worst <= AIM_SECONDS
    print(f"aim: each <= {AIM_SECONDS:g} s; load average now {os.getloadavg()[0]:.1f}")
    print("within aims" if ok else "MISSED AN AIM")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
