"""More files another program runs later as code: `/etc/default/APP`, a repository's `.git/config` and `.git/hooks/`,
Alpine's `/etc/periodic/`, incron, dhclient's hooks, polkit's rules, the kubelet's static pods, quadlet units,
supervisord's programs, needrestart's (Perl) configuration.

`echo "OPTS={{ x }}" | sudo tee /etc/default/app` validated with x = `$(touch F)`, and the init script sourcing the
file ran touch (below, as it does: `. /etc/default/app`); `echo "{{ x }}" >> /srv/app/.git/config` with a
`fsmonitor = touch F` line made the next `git status` run it (below, with git).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import refused_as_code_to_a_file_run_later, takes_any_value

TEMPLATES = [
    'echo "OPTS={{ x }}" | sudo tee /etc/default/app',
    'echo "{{ x }}" >> /srv/app/.git/config',
    'cd /srv/app && echo "{{ x }}" > .git/hooks/post-merge',
    'echo "{{ x }}" > /etc/periodic/daily/cleanup',
    'echo "{{ x }}" > /etc/dhcp/dhclient-exit-hooks.d/app',
    'echo "{{ x }}" > /etc/polkit-1/rules.d/50-app.rules',
    'echo "{{ x }}" > /etc/kubernetes/manifests/app.yaml',
    'echo "{{ x }}" > /etc/containers/systemd/app.container',
    'echo "{{ x }}" > /etc/supervisor/conf.d/app.conf',
    'echo "{{ x }}" > /etc/needrestart/conf.d/app.conf',
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_value_in_such_a_file_is_a_plain_word(template: str) -> None:
    refused_as_code_to_a_file_run_later(template)


@pytest.mark.parametrize(
    "template",
    [
        'echo "{{ x }}" > /srv/app/.gitignore',
        'echo "{{ x }}" > /srv/app/git/config',
        'echo "{{ x }}" > /etc/defaults.txt',
        'echo "{{ x }}" > /srv/app/.git/description',
    ],
)
def test_files_near_them_take_any_value(template: str) -> None:
    takes_any_value(template)


def test_what_an_init_script_did_with_such_a_value(tmp_path: Path) -> None:
    made = tmp_path / "made"
    defaults = tmp_path / "app"
    env = {"PATH": os.environ["PATH"], "V": f"$(touch {made})", "F": str(defaults)}
    subprocess.run(["sh", "-c", 'echo "OPTS=$V" | tee "$F" > /dev/null'], env=env, check=True, timeout=30)
    assert not made.exists()
    subprocess.run(["sh", "-c", '[ -r "$F" ] && . "$F"'], env=env, check=False, timeout=30)
    assert made.exists()


def test_what_git_did_with_such_a_value(tmp_path: Path) -> None:
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1", "V": f"[core]\n\tfsmonitor = touch {made}"}
    subprocess.run(["git", "init", "-q", str(tmp_path / "app")], env=env, check=True, timeout=30)
    subprocess.run(["sh", "-c", 'echo "$V" >> app/.git/config'], cwd=tmp_path, env=env, check=True, timeout=30)
    assert not made.exists()
    subprocess.run(["git", "status"], cwd=tmp_path / "app", env=env, capture_output=True, check=False, timeout=30)
    assert made.exists()
