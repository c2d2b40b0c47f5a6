"""bench/fanout.py --known-lines: other hosts' hashed lines before the sshd's own, as a user's known_hosts holds them; the
sshd's own line is still found (by ssh's own lookup), and nothing else is left beside the file."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_known_lines_come_hashed_before_the_sshds_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("bench_fanout", ROOT / "bench" / "fanout.py")
    assert spec is not None and spec.loader is not None
    fanout = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_fanout", fanout)  # its dataclasses look their module up there
    spec.loader.exec_module(fanout)
    key = tmp_path / "hk"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, capture_output=True)
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:2222 {' '.join(Path(f'{key}.pub').read_text().split()[:2])}\n")
    fanout.add_known_lines(known, 5)
    lines = known.read_text().splitlines()
    assert len(lines) == 6 and all(line.startswith("|1|") for line in lines), lines
    found = subprocess.run(["ssh-keygen", "-F", "[127.0.0.1]:2222", "-f", str(known)], capture_output=True, text=True)
    assert found.returncode == 0 and "line 6" in found.stdout, found.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hk", "hk.pub", "known_hosts"]
