"""`report` and `journal verify` say whether the allowed_signers file they check with is the one the run itself used.

The journal recorded nothing of the file the run read (`run`/`exec --allowed-signers`, or the settings'), so a report
checked with another file (an attacker's copy naming their own key as the verifier's) could not be told from one
checked with the run's own: each named only the file it read. Now `session_started` records the run's file (path and
sha256) and both say plainly whether the file they check with is that one; a journal without the record says nothing new.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from tests.trust.alice_env import ONE_STEP, run_as_alice


def _key(folder: Path, name: str) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(folder / name)], check=True, timeout=60)
    return " ".join((folder / f"{name}.pub").read_text().split()[:2])


def test_report_and_verify_say_whether_they_check_with_the_runs_allowed_signers_file(tmp_path: Path) -> None:
    alice, mallory = _key(tmp_path, "alice"), _key(tmp_path, "mallory")
    (tmp_path / "R.yaml").write_text(ONE_STEP)
    board = tmp_path / "board"
    board.write_text(f"alice {alice}\n")
    forged = tmp_path / "forged"
    forged.write_text(f"alice {alice}\nbob {mallory}\n")
    run_digest, forged_digest = (hashlib.sha256(f.read_bytes()).hexdigest() for f in (board, forged))
    ran = run_as_alice(tmp_path, "exec", "R.yaml", "--solo", "practice", "--identity", "alice", "--allowed-signers", str(board), "--journal", "J.jsonl")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    started = json.loads((tmp_path / "J.jsonl").read_text().splitlines()[0])
    assert started["allowed_signers"] == {"path": str(board), "sha256": run_digest}, started.get("allowed_signers")

    same = run_as_alice(tmp_path, "journal", "verify", "J.jsonl", "--allowed-signers", str(board))
    assert same.returncode == 0, same.stdout
    assert "the same allowed signers file the run used (sha256 matches its record at line 1)" in same.stdout, same.stdout
    other = run_as_alice(tmp_path, "journal", "verify", "J.jsonl", "--allowed-signers", str(forged))
    assert f"NOT the allowed signers file the run used: the run's (line 1) was {board}, sha256 {run_digest}" in other.stdout, other.stdout

    md = run_as_alice(tmp_path, "report", "J.jsonl", "--allowed-signers", str(forged)).stdout.split("## Signatures", 1)[1].split("## Timeline", 1)[0]
    assert "NOT the allowed signers file the run used" in md and run_digest in md and forged_digest in md, md
    md_same = run_as_alice(tmp_path, "report", "J.jsonl", "--allowed-signers", str(board)).stdout.split("## Signatures", 1)[1]
    assert "the same allowed signers file the run used" in md_same.split("## Timeline", 1)[0], md_same
    html = run_as_alice(tmp_path, "report", "J.jsonl", "--allowed-signers", str(forged), "--format", "html").stdout
    assert "NOT the allowed signers file the run used" in html.split('id="signatures"', 1)[1], html
    data = json.loads(run_as_alice(tmp_path, "report", "J.jsonl", "--allowed-signers", str(forged), "--format", "json").stdout)["allowed_signers"]
    assert data["run"] == [{"line": 1, "path": str(board), "sha256": run_digest, "same": False}], data

    # A run that read no allowed_signers file records none: the report and the check say nothing of the run's.
    bare = run_as_alice(tmp_path, "exec", "R.yaml", "--solo", "practice", "--identity", "alice", "--journal", "K.jsonl")
    assert bare.returncode == 0, bare.stdout + bare.stderr
    assert "allowed_signers" not in json.loads((tmp_path / "K.jsonl").read_text().splitlines()[0])
    quiet = run_as_alice(tmp_path, "journal", "verify", "K.jsonl", "--allowed-signers", str(forged))
    assert "the run used" not in quiet.stdout, quiet.stdout
    assert "run" not in json.loads(run_as_alice(tmp_path, "report", "K.jsonl", "--allowed-signers", str(forged), "--format", "json").stdout)["allowed_signers"]
