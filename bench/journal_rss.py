"""Benchmark: peak memory of `journal verify` and `report` on a big journal.

The journal of a long run can be gigabytes (a step printing for hours). `journal verify`,
`report`, `resume` and the share server's catch-up read it one line at a time, so their
memory must not grow with it. This makes a valid journal of about SIZE MB (a real run's
events around SIZE MB of `output` events, 64 KiB of text each, hash-chained as the writer
chains them, written without fsync), then runs each command as a whole process and reads
its peak RSS (VmHWM).

Run: `.venv/bin/python bench/journal_rss.py [--size-mb 1024] [--check] [--json]`.
Aim: each command's peak RSS < 100 MB at any size (1 GB by default).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RSS_AIM_MB = 100.0
CHUNK = 64 * 1024
RUNBOOK = """\
runbook: 1
id: big
title: A run with a lot of output
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Step one
        run: echo one
"""


def make_journal(folder: Path, size_mb: int) -> Path:
    """A verifying journal of about `size_mb` MB: a real one-step run with its output multiplied."""
    from runbook_tui.engine.journal import canonical

    (folder / "R.yaml").write_text(RUNBOOK, encoding="utf-8")
    small = folder / "small.jsonl"
    env = {**os.environ, "XDG_STATE_HOME": str(folder / "state"), "RUNBOOK_TUI_USER": "bench"}
    env.pop("RUNBOOK_TUI_SETTINGS", None)
    subprocess.run(
        [sys.executable, "-m", "runbook_tui", "exec", "R.yaml", "--solo", "bench", "--journal", str(small)],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
    )
    events = [json.loads(line) for line in small.read_bytes().splitlines()]
    [output] = [e for e in events if e["type"] == "output"]
    line = "x" * 79 + "\n"
    text = line * (CHUNK // len(line))
    count = max(1, size_mb * 1024 * 1024 // (len(text) + 300))
    big = folder / "big.jsonl"
    prev, seq = "", 0
    with big.open("wb") as out:

        def write(event: dict) -> None:
            nonlocal prev, seq
            obj = {k: v for k, v in event.items() if k != "hash"}
            obj.update(seq=seq, prev=prev)
            digest = hashlib.sha256(canonical(obj)).hexdigest()
            obj["hash"] = digest
            out.write(canonical(obj) + b"\n")
            prev, seq = digest, seq + 1

        for event in events:
            if event is output:
                for n in range(count):
                    write({**output, "text": f"{n:09d}" + text[9:], "chunk": n})  # numbered as the writer numbers them
            else:
                write(event)
    return big


def peak_rss(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """(peak RSS in MB, seconds, first line of output) of `runbook-tui COMMAND` as a whole process."""
    child = (
        "import sys, io, contextlib\n"
        "from runbook_tui.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    code = main({command!r})\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(code, hwm, (out.getvalue().splitlines() or [''])[0][:200])\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", child], cwd=cwd, capture_output=True, text=True, check=True)
    seconds = time.monotonic() - started
    code, hwm_kb, *rest = done.stdout.strip().split(" ", 2)
    first = rest[0] if rest else ""
    if code != "0":
        raise SystemExit(f"runbook-tui {' '.join(command)} exited {code}: {first}\n{done.stderr}")
    return int(hwm_kb) / 1024, seconds, first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--check", action="store_true", help="exit 1 if a command's peak RSS is over the aim")
    parser.add_argument("--json", action="store_true", help="print the results as JSON (for the tests)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="journal-rss-") as tmp:
        folder = Path(tmp)
        started = time.monotonic()
        big = make_journal(folder, args.size_mb)
        made = time.monotonic() - started
        results = {
            "size_mb": big.stat().st_size / 1024 / 1024,
            "verify": peak_rss(["journal", "verify", str(big)], folder),
            "report": peak_rss(["report", str(big), "--format", "json", "-o", str(folder / "report.json")], folder),
        }
    if args.json:
        print(json.dumps(results))
    else:
        print(f"journal of {results['size_mb']:.0f} MB made in {made:.1f} s")
        print(f"{'command':<16}{'peak RSS MB':>12}{'seconds':>10}")
        for name in ("verify", "report"):
            rss, seconds, _ = results[name]
            print(f"{name:<16}{rss:>12.1f}{seconds:>10.1f}")
        print(f"aim: peak RSS < {RSS_AIM_MB:.0f} MB")
    worst = max(results["verify"][0], results["report"][0])
    return 1 if args.check and worst >= RSS_AIM_MB else 0


if __name__ == "__main__":
    sys.exit(main())
