"""Fixtures and guards shared by every test directory; the real peers live in peers.py.

Two promises are kept here for the whole suite:

- No test touches the real home: as this file is imported (before any test
  module), HOME and the XDG folders point into a temp dir removed at the end
  (the sshd the tests start gets the same HOME, so remote run folders land
  there too). Only uv's download cache stays the real one (UV_CACHE_DIR).
- Only tests marked `peers` start a peer: a test without the mark that asks
  for the `sshd` or `prometheus` fixture, spawns sshd, Prometheus or a
  `--share` session, or opens an SSH server in-process fails, naming what it
  started. So `-m 'not peers'` really starts none.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from peers import (
    prometheus,  # noqa: F401  (session fixture: Debian's Prometheus on loopback, scraping an exporter the test drives)
    sshd,  # noqa: F401  (session fixture: a real OpenSSH sshd on loopback)
)
from peers_alertmanager import alertmanager  # noqa: F401  (session fixture: Debian's Alertmanager on loopback)

#: The environment variables pointed into the temp home, and their subfolders.
_HOME_VARS = {"HOME": "", "XDG_CONFIG_HOME": ".config", "XDG_STATE_HOME": ".local/state", "XDG_CACHE_HOME": ".cache", "XDG_DATA_HOME": ".local/share"}
_saved_env: dict[str, str | None] = {}
_temp_home: Path | None = None

#: The one thing of the real home the tests use: uv's package cache, for the wheel test that installs from the lock
#: (a cache of downloads, read and added to; an empty one would download every package on every run).
_REAL_UV_CACHE = os.environ.get("UV_CACHE_DIR") or str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "uv")

#: Fixtures that start a peer; a test using one (directly or through another fixture) must be marked `peers`.
PEER_FIXTURES = frozenset({"sshd", "prometheus", "exporter", "alertmanager"})
#: Programs that are peers when a test spawns them.
PEER_PROGRAMS = frozenset({"sshd", "prometheus", "prometheus-alertmanager"})


def _use_temp_home() -> None:
    global _temp_home
    if _temp_home is not None:
        return
    _temp_home = Path(tempfile.mkdtemp(prefix="runbook-tui-test-home-"))
    for name, sub in _HOME_VARS.items():
        _saved_env[name] = os.environ.get(name)
        (_temp_home / sub).mkdir(parents=True, exist_ok=True)
        os.environ[name] = str(_temp_home / sub) if sub else str(_temp_home)
    _saved_env["UV_CACHE_DIR"] = os.environ.get("UV_CACHE_DIR")
    os.environ["UV_CACHE_DIR"] = _REAL_UV_CACHE
    # `runbook-tui` on PATH, as installed (this interpreter's console script, alone in a folder of its own): the commands
    # the program prints name it so (engine/invocation.py); tests of the other case give PATH without it.
    script, programs = Path(sys.executable).with_name("runbook-tui"), _temp_home / "programs"
    programs.mkdir()
    if script.exists():
        (programs / "runbook-tui").symlink_to(script)
    _saved_env["PATH"] = os.environ.get("PATH")
    os.environ["PATH"] = os.pathsep.join([str(programs), *filter(None, [os.environ.get("PATH")])])


# Now, as this conftest is imported: pytest imports the conftests of the folders it was
# given before any hook runs, and helpers they import read Path.home() at import time.
_use_temp_home()

# A hang-up at its default however the suite was started: under `nohup` (or a runner that ignores it) SIGHUP is ignored,
# every program the tests start inherits that, and the tests of a hang-up would watch a run that rightly ignores it.
if signal.getsignal(signal.SIGHUP) is signal.SIG_IGN:
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _temp_home
    if _temp_home is None:
        return
    for name, value in _saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    shutil.rmtree(_temp_home, ignore_errors=True)
    _temp_home = None


def _peer_in(args: Any) -> str | None:
    """What peer a Popen argv would start, if any (wrappers like `ip netns exec NS sshd` included)."""
    words = [os.fsdecode(args)] if isinstance(args, (str, bytes, os.PathLike)) else [os.fsdecode(a) for a in args]
    tokens = [token for word in words for token in word.split()]  # shell strings too: `tmux new-session '... --share ...'`
    programs = words + [word.split()[0] for word in words if word.split()]  # each argument, and each shell string's command
    if any(Path(program).name in PEER_PROGRAMS for program in programs):
        return "a peer (" + " ".join(words[:6]) + ")"
    if "--share" in tokens:
        return "a shared session (" + " ".join(words[:3]) + " ... --share)"
    return None


@pytest.fixture(autouse=True)
def _peers_only_when_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if request.node.get_closest_marker("peers") is not None:
        yield
        return
    test = request.node.nodeid

    class Guarded(subprocess.Popen):
        def __init__(self, args: Any, *rest: Any, **kw: Any) -> None:
            peer = _peer_in(args)
            if peer:
                pytest.fail(f"{test} starts {peer} but is not marked @pytest.mark.peers", pytrace=False)
            super().__init__(args, *rest, **kw)

    async def no_server(*args: Any, **kw: Any) -> Any:
        pytest.fail(f"{test} opens an SSH server (a share session) but is not marked @pytest.mark.peers", pytrace=False)

    monkeypatch.setattr(subprocess, "Popen", Guarded)
    monkeypatch.setattr(asyncssh, "create_server", no_server)
    monkeypatch.setattr(asyncssh, "listen", no_server)
    yield


@pytest.fixture(autouse=True)
def _not_this_machines_ssh_config(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The default ~/.ssh/config is read with the system's after it, as ssh reads it: in this process that is no file
    (the machine's /etc/ssh/ssh_config is not the test's); tests/execute/test_ssh_config_system.py names its own."""
    from runbook_tui.execute import ssh_config_system

    monkeypatch.setattr(ssh_config_system, "SYSTEM_CONFIG", str(tmp_path_factory.getbasetemp() / "no-system-ssh-config"))


@pytest.fixture(autouse=True)
def _the_login_is_at_the_keyboard(monkeypatch: pytest.MonkeyPatch) -> None:
    """A suite started with sudo (or doas) would journal its caller (SUDO_USER) as every run's actor, where the tests
    expect the login (tests/test_actor_at_keyboard.py sets these itself)."""
    for name in ("SUDO_USER", "DOAS_USER"):
        monkeypatch.delenv(name, raising=False)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture starts: a peer fixture asked for by a test that is not marked `peers` fails the test."""
    if item.get_closest_marker("peers") is not None:
        return
    wanted = PEER_FIXTURES & set(getattr(item, "fixturenames", ()))
    if wanted:
        pytest.fail(f"{item.nodeid} uses {', '.join(sorted(wanted))} (starts a peer) but is not marked @pytest.mark.peers", pytrace=False)


@pytest.fixture(autouse=True)
def _written_journals_hold_their_sequence(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every journal a test's program writes (in this process) passes `journal verify`'s check of the event sequence: a
    false alarm on an honest journal would teach people to ignore the one on a rewritten one. A journal whose chain the
    test broke (a forged or cut line) is checked up to the break; one it rewrote with a possible chain and an impossible
    sequence on purpose is marked `forged_sequence`."""
    from runbook_tui.engine.event_order import EventOrder
    from runbook_tui.engine.journal import JournalScan, JournalWriter

    written: list[Path] = []
    opened = JournalWriter.__init__

    def recorded(self: JournalWriter, path: Any, *args: Any, **kw: Any) -> None:
        written.append(Path(path))
        opened(self, path, *args, **kw)

    monkeypatch.setattr(JournalWriter, "__init__", recorded)
    # Journals a `runbook-tui` subprocess wrote (exec, resume, a kill -9) are looked for in the test's tmp_path (asked
    # for here, when the test uses it: it is then torn down after this fixture).
    folder: Path | None = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    if request.node.get_closest_marker("forged_sequence") is not None:
        return
    found = set(written)
    if folder is not None:
        found.update(folder.rglob("*.jsonl"))
    for path in sorted(found):
        if not path.is_file():
            continue
        with path.open("rb") as handle:
            if handle.read(1) != b"{":  # not a journal (another test's JSONL, a file the test broke on purpose)
                continue
        scan, order = JournalScan(path, finished_rule=True), EventOrder()
        impossible = [said for event in scan if (said := order.problem(event)) is not None]  # those the chain holds, up to a cut or a break
        if impossible:
            pytest.fail(f"{request.node.nodeid} wrote {path}, which journal verify calls impossible: " + "; ".join(impossible[:5]), pytrace=False)
