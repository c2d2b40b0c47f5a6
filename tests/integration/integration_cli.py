"""Helpers for the integration tests: the real `runbook-tui` command against the real sshd of `peers.py`.

Runbooks are written into `tmp_path`; their `hosts:` group lists N aliases
(peer01, peer02, ...) that all point at the one loopback sshd, with the
fixture's client key as `identity`. A settings file (named by
`RUNBOOK_TUI_SETTINGS`) points `ssh.known_hosts` at the fixture's known_hosts.
"Remote" commands run on this same machine, so they can leave marker files in
`tmp_path` that prove what ran where.

Remote runs live in `~/.cache/runbook-tui/runs/<session>_...` on the host;
the `cli` fixture removes the ones its sessions made.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from peers import Sshd

#: Where the SSH executor keeps detached runs (its default `remote_dir`, under the remote $HOME).
REMOTE_RUNS = Path.home() / ".cache" / "runbook-tui" / "runs"


def _command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m runbook_tui`."""
    script = Path(sys.executable).with_name("runbook-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "runbook_tui"]


RUNBOOK_TUI = _command()


def events(path: Path) -> list[dict[str, Any]]:
    """Every whole line of a journal, parsed (no checks: see `journal verify` for those). A last line the running program
    is still writing (no newline yet: a test waiting on the journal read it half written) is left for the next read."""
    data = path.read_bytes()
    whole = data[: data.rfind(b"\n") + 1].decode("utf-8")
    return [json.loads(line) for line in whole.splitlines() if line.strip()]


def ledger(cli: Cli) -> Counter[str]:
    """What the test's commands wrote to the folder's `ledger` (one word a start), counted."""
    path = cli.dir / "ledger"
    return Counter(path.read_text().split()) if path.exists() else Counter()


def of_type(journal: list[dict[str, Any]], kind: str, **match: Any) -> list[dict[str, Any]]:
    return [e for e in journal if e["type"] == kind and all(e.get(k) == v for k, v in match.items())]


def peer_names(n: int) -> list[str]:
    return [f"peer{i:02d}" for i in range(1, n + 1)]


class Lines:
    """A child's stdout read line by line on a thread, so a test can wait for a line while the child runs."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 15) -> str:
        """The first line matching `predicate`; fails the test if the child ends or time runs out first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    if predicate(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or (not self._thread.is_alive()):
                    pytest.fail(f"no such line within {timeout:g}s; stdout so far:\n" + "\n".join(self.lines))
                self._cond.wait(min(left, 0.1))

    def text(self, timeout: float = 30) -> str:
        """All of stdout, once the child closed it."""
        self._thread.join(timeout)
        return "\n".join(self.lines) + "\n"


@dataclass
class Cli:
    """Writes runbooks and settings for the test sshd, and runs the real command line in `dir`."""

    sshd: Sshd
    dir: Path
    env: dict[str, str]
    settings: Path
    made: list[subprocess.Popen[str]] = field(default_factory=list)

    def hosts(self, n: int, **changes: Any) -> list[dict[str, Any]]:
        """`n` aliases of the one sshd, as a runbook's host group lists them."""
        entry = {"address": "127.0.0.1", "port": self.sshd.port, "user": self.sshd.user, "identity": str(self.sshd.client_key)}
        entry.update(changes)
        return [{"name": name, **entry} for name in peer_names(n)]

    def runbook(self, name: str, sections: list[dict[str, Any]], *, hosts: int = 3, **top: Any) -> Path:
        """A runbook file with the group `g` of `hosts` aliases; `top` adds top-level keys (params, secrets...)."""
        doc: dict[str, Any] = {"runbook": 1, "id": name, "title": f"integration: {name}"}
        doc.update(top)
        doc["hosts"] = {"g": self.hosts(hosts)}
        doc["sections"] = sections
        path = self.dir / f"{name}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
        return path

    def with_known_hosts(self, text: str) -> None:
        """Point the settings at a different known_hosts file holding `text`."""
        known = self.dir / "other_known_hosts"
        known.write_text(text, encoding="utf-8")
        self.settings.write_text(yaml.safe_dump({"ssh": {"known_hosts": str(known)}, "max_concurrency": 50}), encoding="utf-8")

    def run(self, *args: str, timeout: float = 60, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*RUNBOOK_TUI, *args], cwd=self.dir, env={**self.env, **(env or {})},
            capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )  # fmt: skip

    def start(self, *args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], Lines]:
        """Start the command without waiting; stdout is followed line by line, stderr goes to a file."""
        stderr = open(self.dir / "stderr.txt", "w")  # the child owns it; closed below
        try:
            proc = subprocess.Popen(
                [*RUNBOOK_TUI, *args], cwd=self.dir, env={**self.env, **(env or {})},
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, text=True,
            )  # fmt: skip
        finally:
            stderr.close()
        self.made.append(proc)
        return proc, Lines(proc)

    def stderr(self) -> str:
        return (self.dir / "stderr.txt").read_text()


def _sessions(directory: Path) -> set[str]:
    """Session ids of the journals under `directory` (each journal's first line)."""
    found = set()
    for path in directory.rglob("*.jsonl"):
        try:
            with path.open(encoding="utf-8") as handle:
                first = json.loads(handle.readline())
        except (OSError, ValueError):
            continue
        if isinstance(first, dict) and first.get("session"):
            found.add(str(first["session"]))
    return found


@pytest.fixture
def cli(sshd: Sshd, tmp_path: Path) -> Iterator[Cli]:
    settings = tmp_path / "settings.yaml"
    settings.write_text(yaml.safe_dump({"ssh": {"known_hosts": str(sshd.known_hosts)}, "max_concurrency": 50}), encoding="utf-8")
    env = {
        **os.environ,
        "RUNBOOK_TUI_SETTINGS": str(settings),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "RUNBOOK_TUI_USER": "tester",
    }
    helper = Cli(sshd, tmp_path, env, settings)
    try:
        yield helper
    finally:
        for proc in helper.made:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
        if not sshd.running:  # a test that stopped sshd and failed before starting it again
            sshd.start()
        for session in _sessions(tmp_path):
            for run in REMOTE_RUNS.glob(f"{session}_*"):  # a run's files (NAME.out, ...), or a directory of an older version
                if run.is_dir():
                    shutil.rmtree(run, ignore_errors=True)
                else:
                    run.unlink(missing_ok=True)
