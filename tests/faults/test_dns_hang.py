"""A resolver that never answers, for every HTTP peer (Prometheus, a webhook, Alertmanager), against the real resolver.

The process runs in a network and mount namespace of its own (as root, with `unshare`): /etc/resolv.conf there names
a DNS server on its loopback that reads every query and never answers (`options timeout:30 attempts:1`), so glibc's
`getaddrinfo` blocks 30 s. Before: the lookup was outside the request's deadline: a webhook with `timeout: 0.5`
waited the whole 30 s, and each request, given up on by its caller, left a thread blocked behind it: a guard's source
polled every second while DNS hangs grew one thread a poll.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.peers

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, socket, subprocess, sys, threading, time
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["mount", "--bind", sys.argv[1], "/etc/resolv.conf"], check=True)
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 53))  # reads nothing, answers nothing: the queries wait in its buffer

    from runbook_tui.engine.http_bounded import FetchError, request
    from runbook_tui.notify.http import request as notify_request

    out = {"requests": [], "threads": []}
    for n in range(12):
        began = time.monotonic()
        try:
            request("POST", f"http://hook{n}.example.test:9/x", body=b"{}", timeout=0.5, limit=1000)
            words = "answered"
        except FetchError as exc:
            words, kind = str(exc), exc.kind
        out["requests"].append([round(time.monotonic() - began, 2), words])
        out["threads"].append(threading.active_count())
    began = time.monotonic()
    answer = notify_request("POST", "http://alertmanager.example.test:9093/api/v2/silences", body={"matchers": []}, timeout=0.5)
    out["notify"] = [round(time.monotonic() - began, 2), answer.error]
    print(json.dumps(out))
    """
)


def test_a_resolver_that_never_answers_is_inside_the_request_deadline_and_leaves_few_threads(tmp_path: Path) -> None:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a resolver of its own")
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\noptions timeout:30 attempts:1\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        ["unshare", "--mount", "--net", sys.executable, "-c", SCRIPT, str(resolv)], capture_output=True, text=True, timeout=100, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    first = out["requests"][0]
    assert first[0] < 3, f"the request waited {first[0]}s for DNS past its 0.5s timeout"
    assert first[1] == "the name hook0.example.test did not resolve within 0.5s (DNS did not answer)", first
    assert all(seconds < 3 for seconds, _ in out["requests"]), out["requests"]
    assert out["requests"][-1][1] == ("the name hook11.example.test was not looked up within 0.5s: 8 earlier lookups are still waiting for DNS to answer"), out[
        "requests"
    ]
    assert max(out["threads"]) - min(out["threads"]) <= 8, f"threads grew with each request: {out['threads']}"
    assert out["notify"][0] < 3 and "alertmanager.example.test" in out["notify"][1], out["notify"]
