"""Benchmark: how long a journal event takes to reach the verifier's replica in a shared session, on loopback.

The assignee's side runs in this process, exactly as `runbook-tui exec
--share` wires it (`session.open_session` with `ShareOptions`: the
Controller, its fsynced journal, the asyncssh `ShareServer`). A step
streams output steadily (a `python3 -u` generator printing a line every
`1/rate` s), so output events flow while we measure. The participants are
real SSH clients (`ShareClient`) in two other processes, so they do not
share this process's event loop nor each other's:

- the verifier, alone in its process; it confirms the step when it waits;
- N observers, all in one process (one event loop).

Clock: everything runs on one machine, so `time.time()` is one clock for all
three processes. This process stamps each event when the controller's
`emit` is entered (before the journal write, the `apply()` and the relay);
a client stamps it after its replica folded it with `apply()` (its listener
runs then). Only events emitted after every participant joined count
(no catch-up). Latency = replica stamp - emit stamp.

Run: `.venv/bin/python bench/share_latency.py [--observers 0 1 20] [--rate 200] [--seconds 4] [--check]`.
Aim: p99 < 50 ms at the verifier's replica, with 1 and with 20 observers attached.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AIM_P99_MS = 50.0
HOST = "127.0.0.1"


def _runbook(folder: Path, rate: float, seconds: float) -> Path:
    """A one-step runbook whose step prints `rate` lines a second for `seconds` (one steady process, no `sleep` forks)."""
    generator = folder / "generate.py"
    generator.write_text(
        f"import time\nfor i in range({int(rate * seconds)}):\n    print('line', i, flush=True)\n    time.sleep({1 / rate:.6f})\n",
        encoding="utf-8",
    )
    path = folder / "runbook.yaml"
    path.write_text(
        f"""runbook: 1
id: bench-share
title: Share latency
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: stream
        title: Stream output
        run: {sys.executable} -u {generator}
        undo: "true"
""",
        encoding="utf-8",
    )
    return path


# -- the participants (child processes) -------------------------------------------------


async def _participants(port: int, known_hosts: str, keys: list[str], out: str, confirm: bool) -> None:
    from runbook_tui.share.client import Endpoint, ShareClient

    stamps: dict[str, dict[int, float]] = {}
    clients = []
    for key in keys:
        client = ShareClient(Endpoint(HOST, port, known_hosts, key), reconnect_delays=(0.2,))
        got = stamps[Path(key).name] = {}
        client.subscribe(lambda event, state, got=got: got.__setitem__(event["seq"], time.time()))
        clients.append(client)
    await asyncio.gather(*(c.connect() for c in clients))
    tasks = [asyncio.create_task(c.run()) for c in clients]
    if confirm:
        verifier = clients[0]
        while not verifier.state.finished:
            sid = verifier.state.current
            if sid is not None and verifier.state.steps[sid].status == "awaiting_verification":
                await verifier.send("confirm")
            await asyncio.sleep(0.02)
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    Path(out).write_text(json.dumps(stamps), encoding="utf-8")


# -- the assignee's side (this process) -------------------------------------------------


async def _case(work: Path, observers: int, rate: float, seconds: float) -> dict[str, Any]:
    import asyncssh

    from runbook_tui.app.session import ShareOptions, load, open_session
    from runbook_tui.app.settings import Settings
    from runbook_tui.engine.autopilot import drive
    from runbook_tui.share.client import host_key_entry
    from runbook_tui.share.participants import Participant

    case = work / f"observers-{observers}"
    case.mkdir()
    keys = []
    people = []
    for index in range(observers + 1):
        name = "verifier" if index == 0 else f"observer{index:02d}"
        key = asyncssh.generate_private_key("ssh-ed25519", comment=name)
        key.write_private_key(str(case / name))
        keys.append(str(case / name))
        people.append(Participant(name, "verifier" if index == 0 else "observer", key.get_fingerprint()))
    runbook = _runbook(case, rate, seconds)
    port = _free_port()
    options = ShareOptions(f"{HOST}:{port}", tuple(people), case / "share_host_key")
    session = open_session(load(str(runbook), {}), journal=str(case / "journal.jsonl"), settings=Settings(), share=options)
    controller = session.controller
    emitted: dict[int, float] = {}
    original = controller.emit

    def stamped(type: str, actor: Any, **data: Any) -> Any:
        started = time.time()
        event = original(type, actor, **data)
        emitted[event["seq"]] = started
        return event

    controller.emit = stamped  # type: ignore[method-assign]
    await session.start()
    assert session.share is not None
    known_hosts = case / "known_hosts"
    known_hosts.write_text(host_key_entry(HOST, port, session.share.host_key), encoding="utf-8")
    child = [sys.executable, __file__, "--child", "--port", str(port), "--known-hosts", str(known_hosts)]
    procs = [subprocess.Popen([*child, "--confirm", "--out", str(case / "verifier.json"), keys[0]])]
    if observers:
        procs.append(subprocess.Popen([*child, "--out", str(case / "observers.json"), *keys[1:]]))
    try:
        deadline = time.monotonic() + 60
        while len(controller.state.participants) < observers + 1:
            if time.monotonic() > deadline or any(p.poll() not in (None, 0) for p in procs):
                raise RuntimeError(f"participants did not join: {dict(controller.state.participants)}")
            await asyncio.sleep(0.05)
        live_from = controller.state.seq + 1
        outcome = await drive(controller, session.actor)
    finally:
        await session.close()
    for proc in procs:
        proc.wait(60)
    verifier = json.loads((case / "verifier.json").read_text())["verifier"]
    watching = json.loads((case / "observers.json").read_text()) if observers else {}

    def latencies(got: dict[str, float]) -> list[float]:
        return [(t - emitted[int(s)]) * 1000 for s, t in got.items() if int(s) >= live_from and int(s) in emitted]

    mine = latencies(verifier)
    theirs = [ms for stamps in watching.values() for ms in latencies(stamps)]
    outputs = sum(1 for s in range(live_from, controller.state.seq + 1) if s in emitted)
    return {"observers": observers, "outcome": outcome, "events": outputs, "verifier": mine, "observers_ms": theirs,
            "complete": all(len(latencies(s)) == len(mine) for s in watching.values())}  # fmt: skip


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observers", type=int, nargs="+", default=[0, 1, 20], help="observer counts, one case each (default: 0 1 20)")
    parser.add_argument("--rate", type=float, default=200, help="output lines per second the step prints (default 200)")
    parser.add_argument("--seconds", type=float, default=4, help="how long the step streams (default 4)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the verifier's p99 misses the aim with 1 or 20 observers")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--confirm", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--known-hosts", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("keys", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        asyncio.run(_participants(args.port, args.known_hosts, args.keys, args.out, args.confirm))
        return 0

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; step prints {args.rate:g} lines/s for {args.seconds:g} s")
    print("| observers | live events | verifier p50 ms | verifier p99 ms | verifier max ms | observers p50 ms | observers p99 ms | all observers got all |")
    print("|---|---|---|---|---|---|---|---|")
    missed = False
    with tempfile.TemporaryDirectory(prefix="bench-share-") as tmp:
        for observers in args.observers:
            result = asyncio.run(_case(Path(tmp), observers, args.rate, args.seconds))
            mine, theirs = result["verifier"], result["observers_ms"]
            p99 = _pct(mine, 99)
            if observers in (1, 20) and not p99 < AIM_P99_MS:
                missed = True
            print(
                f"| {observers} | {result['events']} | {statistics.median(mine):.1f} | {p99:.1f} | {max(mine):.1f} | "
                f"{_pct(theirs, 50):.1f} | {_pct(theirs, 99):.1f} | {'yes' if result['complete'] else 'NO'} |",
                flush=True,
            )
            if result["outcome"] != "done":
                print(f"  the run ended {result['outcome']}, not done", file=sys.stderr)
                missed = True
    print(f"aim: verifier p99 < {AIM_P99_MS:g} ms with 1 and with 20 observers: {'MISSED' if missed else 'met'}")
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
