"""The real `ssh -G` as the judge of how an ssh config reads: OpenSSH resolves it as it would connect, and connects nowhere."""

from __future__ import annotations

import subprocess
from pathlib import Path


def ssh_says(config: Path, alias: str, option: str) -> list[str]:
    """Every value `ssh -G -F CONFIG ALIAS` resolves for `option` (lower case, as ssh -G prints it)."""
    done = subprocess.run(["ssh", "-G", "-F", str(config), alias], capture_output=True, text=True, timeout=30, check=True)
    return [line.partition(" ")[2] for line in done.stdout.splitlines() if line.partition(" ")[0] == option]
