"""A key's `valid-after` / `valid-before` in allowed_signers is judged at the time each signature was journaled.

OpenSSH says such a key is "valid for use" in that window, and judges at `-Overify-time=` when given (git passes the
commit's date). `journal verify` judged every signature of an old journal at the moment it ran: a key rotated out
after the run (`valid-before` set at the rotation) failed every run it had signed, and a key first listed after the
run (`valid-after`) vouched for signatures the journal dates before it was given to anyone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from waiting import wait_until

from runbook_tui.engine.journal import canonical
from runbook_tui.trust import statements
from runbook_tui.trust.sshsig import file_signer
from tests.trust.alice_env import alice_env

CLI = [sys.executable, "-m", "runbook_tui"]

RUNBOOK = """\
runbook: 1
id: rotated
title: Rotated key
sections:
  - id: impl
    title: Change
    kind: implement
    steps:
      - id: one
        title: Step one
        run: echo one
        undo: echo undo-one
"""


def _stamp(moment: float) -> str:
    """A time as allowed_signers and `-Overify-time=` write it, in UTC."""
    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y%m%d%H%M%SZ")


def _ts(event: dict[str, Any]) -> float:
    return dt.datetime.fromisoformat(event["ts"]).timestamp()


def _verify(folder: Path, journal: Path, option: str, zone: str = "") -> subprocess.CompletedProcess[str]:
    """`journal verify` with alice's key given under `option`, on a machine whose TZ is `zone` (given: else as it is)."""
    public = " ".join((folder / "alice.pub").read_text().split()[:2])
    allowed = folder / "allowed_signers"
    allowed.write_text(f"alice {option} {public}\n")
    env = alice_env(folder) | ({"TZ": zone} if zone else {})
    return subprocess.run([*CLI, "journal", "verify", str(journal), "--allowed-signers", str(allowed)], env=env, capture_output=True, text=True)


def _signed_run(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """alice's solo run of RUNBOOK, her decisions and seal signed with her key file: the journal and its events."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", str(tmp_path / "alice")], check=True)
    (tmp_path / "R.yaml").write_text(RUNBOOK)
    journal = tmp_path / "J.jsonl"
    ran = subprocess.run(
        [*CLI, "exec", "R.yaml", "--solo", "practice", "--identity", "alice", "--journal", str(journal)],
        cwd=tmp_path,
        env=alice_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return journal, [json.loads(line) for line in journal.read_text().splitlines()]


def test_a_key_rotated_out_after_the_run_still_vouches_for_it_and_one_listed_after_it_does_not(tmp_path: Path) -> None:
    journal, events = _signed_run(tmp_path)
    signed = [e for e in events if e["type"] in ("decision_signed", "seal")]
    assert signed, "alice's decisions and seal are signed"
    first, last = min(_ts(e) for e in signed), max(_ts(e) for e in signed)
    rotated = int(last) + 1  # the key's last second of use: after every signature of the run
    wait_until(lambda: time.time() >= rotated + 1, "the clock a second past the rotation (OpenSSH judges in whole seconds)")

    held = _verify(tmp_path, journal, f'valid-before="{_stamp(rotated)}"')
    assert held.returncode == 0 and "signatures hold and the end is sealed" in held.stdout, held.stdout + held.stderr

    # OpenSSH says the same of the seal: good at the time it was made, expired now.
    seal = signed[-1]
    (tmp_path / "seal.sig").write_text(seal["signature"])
    openssh = ["ssh-keygen", "-Y", "verify", "-f", str(tmp_path / "allowed_signers"), "-I", "alice", "-n", "runbook-tui", "-s", str(tmp_path / "seal.sig")]
    then = subprocess.run([*openssh, f"-Overify-time={_stamp(_ts(seal))}"], input=statements.encode(seal["statement"]), capture_output=True)
    now = subprocess.run(openssh, input=statements.encode(seal["statement"]), capture_output=True)
    assert then.returncode == 0 and now.returncode != 0, (then.stderr, now.stderr)

    # A key whose use ended before the run began signed nothing of it.
    ended = _verify(tmp_path, journal, f'valid-before="{_stamp(int(first) - 1)}"')
    assert ended.returncode == 1, ended.stdout
    assert "only until" in ended.stdout and "when the journal says it signed" in ended.stdout, ended.stdout

    # A key first given to alice after the run (the clock is past it now) cannot vouch for what the journal dates before.
    later = _verify(tmp_path, journal, f'valid-after="{_stamp(rotated)}"')
    assert later.returncode == 1, later.stdout
    assert f"only from {dt.datetime.fromtimestamp(rotated, dt.UTC):%Y-%m-%d %H:%M} UTC, not at" in later.stdout, later.stdout


def test_a_signature_line_dated_before_the_events_it_signs_is_judged_no_earlier_than_them(tmp_path: Path) -> None:
    """alice's key was rotated out (`valid-before`) before the run; whoever holds the old key signs the run with it and
    dates only the signature lines before the rotation, the run's own events left at their true times: a signature is
    never made before the lines it follows (the decision it signs, the head a seal signs), so it is judged at the latest
    time the journal gives up to its line (before: each line's own date alone: `signatures hold`, exit 0)."""
    journal, events = _signed_run(tmp_path)
    rotated = int(min(_ts(e) for e in events)) - 1  # the key's use ended before the run began
    backdated = dt.datetime.fromtimestamp(rotated - 3600, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    forged: list[dict[str, Any]] = []
    for event in events:
        event = {k: v for k, v in event.items() if k != "hash"} | {"prev": forged[-1]["hash"] if forged else ""}
        if event["type"] in ("decision_signed", "seal"):
            event["ts"] = backdated
        if event["type"] == "seal":  # the chain changed under it: the head signed again with the old key
            statement = event["statement"] | {"head": forged[event["statement"]["seq"]]["hash"]}
            signer = file_signer(str(tmp_path / "alice"))
            event |= {"statement": statement, "signature": asyncio.run(signer.sign(statements.encode(statement)))}
        forged.append(event | {"hash": hashlib.sha256(canonical(event)).hexdigest()})
    journal.write_text("".join(canonical(e).decode() + "\n" for e in forged))

    result = _verify(tmp_path, journal, f'valid-before="{_stamp(rotated)}"')
    assert result.returncode == 1, result.stdout
    assert f"gives to alice only until {dt.datetime.fromtimestamp(rotated, dt.UTC):%Y-%m-%d %H:%M} UTC, not at" in result.stdout, result.stdout
    assert "signatures hold" not in result.stdout, result.stdout


def test_a_time_written_without_a_zone_is_the_checking_machines_own_as_ssh_keygen_reads_it(tmp_path: Path) -> None:
    """`valid-before="YYYYMMDDHHMMSS"` without `Z`: OpenSSH reads it in the local time of the machine that checks
    (mktime), as it reads `-Overify-time=` without one. Checked on a machine in Tokyo (UTC+9): the run's rotation time
    written in Tokyo's clock holds; the same moment's UTC digits without `Z` mean nine hours earlier there, before the
    run, and fail. `ssh-keygen -Y verify` in Tokyo judges each line of the seal as `journal verify` does. (Held: pinned.)"""
    journal, events = _signed_run(tmp_path)
    seal = [e for e in events if e["type"] == "seal"][-1]
    rotated = int(max(_ts(e) for e in events if e["type"] in ("decision_signed", "seal"))) + 1
    wait_until(lambda: time.time() >= rotated + 1, "the clock a second past the rotation (OpenSSH judges in whole seconds)")
    zone = "Asia/Tokyo"
    tokyo = dt.datetime.fromtimestamp(rotated, ZoneInfo(zone)).strftime("%Y%m%d%H%M%S")
    utc_digits = _stamp(rotated).removesuffix("Z")
    (tmp_path / "seal.sig").write_text(seal["signature"])
    openssh = ["ssh-keygen", "-Y", "verify", "-f", str(tmp_path / "allowed_signers"), "-I", "alice", "-n", "runbook-tui", "-s", str(tmp_path / "seal.sig")]
    for written, holds in ((tokyo, True), (utc_digits, False)):
        ours = _verify(tmp_path, journal, f'valid-before="{written}"', zone)
        theirs = subprocess.run(
            [*openssh, f"-Overify-time={_stamp(_ts(seal))}"], input=statements.encode(seal["statement"]), capture_output=True, env=os.environ | {"TZ": zone}
        )
        assert (ours.returncode == 0) is holds and (theirs.returncode == 0) is holds, (written, ours.stdout, theirs.stderr)
        if not holds:  # said in UTC, the moment the zone-less digits meant in Tokyo
            until = dt.datetime.fromtimestamp(rotated - 9 * 3600, dt.UTC)
            assert f"gives to alice only until {until:%Y-%m-%d %H:%M} UTC, not at" in ours.stdout, ours.stdout
