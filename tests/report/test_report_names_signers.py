"""The report says which allowed_signers file its Signatures were checked with, as `journal verify` does.

An attacker with a copy of the journal and of the allowed_signers file writes their own key into the file under the
verifier's name and sends the report made with it: the report said `verified` for each signature with no word of the
file behind it, while `journal verify` named the file it read. Now the Signatures section names the file, where it
was named (`--allowed-signers` or the settings) and its sha256 (md, html and json), and `journal verify` prints the
same sha256: a reader can tell which list vouched, and that it is the change board's.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from tests.trust.alice_env import ONE_STEP, run_as_alice


def test_the_report_names_the_allowed_signers_file_it_checked_with_and_its_digest(tmp_path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", str(tmp_path / "alice")], check=True)
    (tmp_path / "R.yaml").write_text(ONE_STEP)
    public = " ".join((tmp_path / "alice.pub").read_text().split()[:2])
    board = tmp_path / "board|signers"  # a pipe: outside a table, the code span keeps it as it is
    board.write_text(f"alice {public}\n")
    digest = hashlib.sha256(board.read_bytes()).hexdigest()
    ran = run_as_alice(tmp_path, "exec", "R.yaml", "--solo", "practice", "--identity", "alice", "--journal", "J.jsonl")
    assert ran.returncode == 0, ran.stdout + ran.stderr

    verified = run_as_alice(tmp_path, "journal", "verify", "J.jsonl", "--allowed-signers", str(board))
    assert verified.returncode == 0, verified.stdout
    assert f"allowed signers: {board} (given by --allowed-signers; sha256 {digest})" in verified.stdout, verified.stdout

    md = run_as_alice(tmp_path, "report", "J.jsonl", "--allowed-signers", str(board))
    assert md.returncode == 0, md.stderr
    section = md.stdout.split("## Signatures", 1)[1].split("## Timeline", 1)[0]
    assert f"Checked with the allowed signers in `{board}`" in section and digest in section, section
    assert "given by --allowed-signers" in section, section

    html = run_as_alice(tmp_path, "report", "J.jsonl", "--allowed-signers", str(board), "--format", "html")
    assert digest in html.stdout.split('id="signatures"', 1)[1], html.stdout

    data = json.loads(run_as_alice(tmp_path, "report", "J.jsonl", "--allowed-signers", str(board), "--format", "json").stdout)
    assert data["allowed_signers"] == {"path": str(board), "sha256": digest, "source": "given by --allowed-signers"}, data.get("allowed_signers")

    # The same journal reported from the settings' file: that file and those words; with none, the report says so.
    settings = tmp_path / "cfg" / "runbook-tui" / "settings.yaml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(f"allowed_signers: {board}\n")
    from_settings = run_as_alice(tmp_path, "report", "J.jsonl", "--format", "json")
    assert json.loads(from_settings.stdout)["allowed_signers"]["source"] == f"allowed_signers: in {settings}", from_settings.stdout[:400]
    settings.unlink()
    unchecked = run_as_alice(tmp_path, "report", "J.jsonl")
    section = unchecked.stdout.split("## Signatures", 1)[1].split("## Timeline", 1)[0]
    assert "No allowed signers given" in section, section
    assert json.loads(run_as_alice(tmp_path, "report", "J.jsonl", "--format", "json").stdout)["allowed_signers"] is None
