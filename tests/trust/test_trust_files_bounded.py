"""The approval and allowed_signers files are read bounded: a FIFO, `/dev/zero` or deep JSON is refused in words.

`--approval FIFO` and `allowed_signers: FIFO` blocked for ever; `/dev/zero` was read until memory ran out
(a `MemoryError` traceback under a limit); an approval of 100,000 nested `[` ended in a `RecursionError` traceback.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

RUNBOOK = "runbook: 1\nid: t\ntitle: T\nsections:\n  - {id: s, kind: implement, steps: [{id: a, run: 'true', verify: none}]}\n"


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # without the bound, /dev/zero fails here, not the machine


def test_unreadable_trust_files_are_refused_before_anything_runs(tmp_path: Path) -> None:
    (tmp_path / "R.yaml").write_text(RUNBOOK)
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "binary.approval").write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 64)  # a gzip'd file, a key, an image...
    (tmp_path / "zero.yaml").write_text("allowed_signers: /dev/zero\nrequire_approval: true\n")
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    cases = [
        (["--approval", "fifo"], "runbook-tui: fifo: cannot read the approval: expected a regular file, got a FIFO\n"),
        (["--approval", "deep.json"], "runbook-tui: deep.json: expected an approval written by `runbook-tui approve`\n"),
        (
            ["--allowed-signers", "/dev/zero", "--approval", "deep.json"],
            "runbook-tui: /dev/zero: cannot read the allowed signers: expected a regular file, got a character device\n",
        ),
        (
            ["--approval", "binary.approval"],
            "runbook-tui: binary.approval: expected an approval written by `runbook-tui approve`: this file is not UTF-8 text (a binary file?)\n",
        ),
        (["--approval", "deep.json"], "zero.yaml:1:18: allowed_signers: expected a regular file, got a character device ('/dev/zero')\n"),  # settings
    ]
    for index, (args, stderr) in enumerate(cases):
        command = [sys.executable, "-m", "runbook_tui", "exec", "--solo", "t", *args, "R.yaml"]
        settings = {"RUNBOOK_TUI_SETTINGS": "zero.yaml"} if index == len(cases) - 1 else {}
        done = subprocess.run(command, cwd=tmp_path, env={**env, **settings}, capture_output=True, text=True, timeout=30, preexec_fn=_limited)
        assert (done.returncode, done.stderr, done.stdout) == (2, stderr, ""), args
    assert not (tmp_path / "state").exists() or not any((tmp_path / "state").rglob("*.jsonl"))  # nothing journaled, nothing ran
