"""A value starting with `-` where kubectl or npx reads options: `kubectl get pods "{{ x }}"`, `npx "{{ x }}"`.

ssh, git, curl… refused a value starting with `-` at the start of a word they read as an option; kubectl and npx were
not among them: x = `--kubeconfig=/tmp/upload/evil` validated and kubectl ran the `exec:` credential plugin that file
names, and x = `--call=CMD` made npx run CMD through a shell (below, with the real programs, offline). Such a value is
refused there now; after `--` (`kubectl exec POD -- CMD …`) any value passes.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import takes_any_value

from runbook_tui.runbook.templating import TemplateError, render_command


@pytest.mark.parametrize(
    ("template", "program"),
    [
        ('kubectl get pods "{{ x }}"', "kubectl"),
        ('kubectl -n prod rollout status deploy "{{ x }}"', "kubectl"),
        ('oc get pods "{{ x }}"', "oc"),
        ('npx "{{ x }}"', "npx"),
    ],
)
def test_a_value_starting_with_a_dash_is_refused_there(template: str, program: str) -> None:
    with pytest.raises(TemplateError, match=f"would be read by {program} as an option"):
        render_command(template, {"x": "--kubeconfig=/tmp/upload/evil"})
    assert [v for _, v in render_command(template, {"x": "api-7d9f"}).env] == ["api-7d9f"]


@pytest.mark.parametrize("template", ['kubectl exec web -- grep -e "{{ x }}" /var/log/app.log', 'kubectl get pods -l "app={{ x }}"'])
def test_after_dash_dash_or_inside_a_word_any_value_passes(template: str) -> None:
    takes_any_value(template)


def test_what_kubectl_and_npx_did_with_such_values(tmp_path: Path) -> None:
    made = tmp_path / "made"
    plugin = {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "/bin/sh", "args": ["-c", f"touch {made}-kubectl"], "interactiveMode": "Never"}
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:9"}}],
        "users": [{"name": "u", "user": {"exec": plugin}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }
    (tmp_path / "evil").write_text(json.dumps(config), encoding="utf-8")  # (JSON is YAML)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RBT_V1": f"--kubeconfig={tmp_path / 'evil'}"}
    subprocess.run(["sh", "-c", 'kubectl get pods "${RBT_V1}"'], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    env["RBT_V1"] = f"--call=touch {made}-npx"
    subprocess.run(["sh", "-c", 'npx "${RBT_V1}"'], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    assert Path(f"{made}-kubectl").exists() and Path(f"{made}-npx").exists()


NPM_CALLS = [
    'npx -c "echo {{ x }}"',
    'npx --call "echo {{ x }}"',
    'npx -p cowsay -c "cowsay {{ x }}"',
    'npm exec -c "echo {{ x }}"',
    'npm x --call="echo {{ x }}"',
]


@pytest.mark.parametrize("template", NPM_CALLS)
def test_a_value_in_the_command_npx_runs_through_a_shell_is_refused(template: str) -> None:
    """npx and `npm exec` hand `-c CMD` / `--call CMD` to a shell, which parses the value in it again: these validated
    and ran the value (below, with the real npx, offline). Refused unless quoted for that shell, as in `sh -c`."""
    with pytest.raises(TemplateError, match=r"(npx|npm) -c"):
        render_command(template, {"x": "a; touch F"})
    assert [v for _, v in render_command(template.replace("{{ x }}", "{{ x | shq }}"), {"x": "a; b"}).env] == ["'a; b'"]


def test_what_npx_did_with_a_value_in_its_command(tmp_path: Path) -> None:
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RBT_V1": f"a; touch {made}"}
    subprocess.run(["sh", "-c", 'npx -c "echo ${RBT_V1}"'], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    assert made.exists()
