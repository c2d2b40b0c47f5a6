"""`preflight` checks every PromQL query against the server even while a secret the metrics do not use is missing.

Before, one missing secret anywhere (a step's database password, exported only at the window) stopped every query
check: `metrics: queries not checked, because the secrets above are missing`, so a query the server refuses went
unseen the afternoon before. Only a source (or a query) that uses a secret still waits for it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from metrics_helpers import metrics_runbook
from peers import Exporter, Prometheus

SECTIONS = "- id: s\n  kind: precheck\n  steps:\n    - {id: one, run: 'echo {{ secrets.db_password }}'}"
PANELS = """
- {id: ok, query: 'rbt_test_value{service="api"}'}
- {id: broken, query: 'rate(rbt_test_value[5'}
"""


def _preflight(runbook: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")}
    env.pop("SPEC_DB_PASSWORD", None)
    env.pop("SPEC_PROM_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "runbook_tui", "preflight", str(runbook)], env=env, capture_output=True, text=True, timeout=120)


def _write(tmp_path: Path, source: str) -> Path:
    text = metrics_runbook(source, panels=PANELS, sections=SECTIONS)
    secrets = "secrets:\n  db_password: {env: SPEC_DB_PASSWORD}\n  prom_token: {env: SPEC_PROM_TOKEN}\n"
    runbook = tmp_path / "runbook.yaml"
    runbook.write_text(text.replace("metrics:", secrets + "metrics:", 1), encoding="utf-8")
    return runbook


@pytest.mark.peers
def test_a_query_the_server_refuses_is_found_while_an_unrelated_secret_is_missing(prometheus: Prometheus, exporter: Exporter, tmp_path: Path) -> None:
    runbook = _write(tmp_path, f'prometheus: {{url: "{prometheus.url}"}}')
    done = _preflight(runbook, tmp_path)
    lines = done.stdout.splitlines()
    assert done.returncode == 1, done.stdout + done.stderr
    assert any("secret 'db_password': environment variable SPEC_DB_PASSWORD is not set" in line for line in lines), lines
    assert any("panel 'broken': Prometheus refused the query: " in line for line in lines), lines
    assert not any("queries not checked" in line or "panel 'ok'" in line for line in lines), lines


@pytest.mark.peers
def test_a_source_that_uses_a_missing_secret_still_waits_for_it(prometheus: Prometheus, exporter: Exporter, tmp_path: Path) -> None:
    runbook = _write(tmp_path, f'prometheus: {{url: "{prometheus.url}", token: "{{{{ secrets.prom_token }}}}"}}')
    done = _preflight(runbook, tmp_path)
    lines = done.stdout.splitlines()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "metrics: queries not checked, because the secrets above are missing" in lines, lines
    assert not any("panel 'broken'" in line for line in lines), lines
