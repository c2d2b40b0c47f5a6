"""Network namespaces for tests (as root, with iproute2): a namespace joined to this machine by a veth pair.

Shared by the link-fault tests (tests/faults/test_fault_netns.py) and the
bastion tests (tests/execute/test_ssh_bastion.py). Without root or `ip netns`
a test fails on CI (where scripts/test runs as root) and is skipped
elsewhere, saying why.
"""

from __future__ import annotations

import os
import random
import subprocess

import pytest
from peers import PeerError


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["ip", *args], check=False, capture_output=True, text=True, timeout=10)
    if check and result.returncode != 0:
        raise PeerError(f"ip {' '.join(args)}: {result.stderr.strip() or f'exit {result.returncode}'}")
    return result


def cannot_set_up(reason: str) -> None:
    message = f"cannot set up a network namespace here: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message + " (scripts/test runs the suite as root with iproute2)", pytrace=False)
    pytest.skip(message)


def free_subnet() -> tuple[str, str, str]:
    """A 169.254.X.Y/30 no address or route here overlaps: (network, host side, namespace side)."""
    taken = ip("-4", "addr").stdout + ip("-4", "route", "show", "table", "all").stdout
    for _ in range(100):
        x, y = random.randint(1, 254), 4 * random.randint(0, 63)
        prefix = f"169.254.{x}."
        if prefix not in taken and "169.254.0.0/16" not in taken:
            return f"{prefix}{y}/30", f"{prefix}{y + 1}", f"{prefix}{y + 2}"
    raise PeerError("no free 169.254.x.y/30 found")
