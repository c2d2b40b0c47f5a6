"""A value in the path of a file a program reads as configuration that runs commands, named by an option or as its
operand: `nginx -t -c /etc/nginx/{{ x }}.conf`, `haproxy -c -f`, `logrotate -f /etc/logrotate.d/{{ x }}`, `git --git-dir=`.

With x = `../../upload/...`, `runbook-tui exec` of each ran code from an uploaded file: nginx's `load_module` (a
library's constructor), haproxy's `lua-load`, logrotate's `postrotate`, git's `core.fsmonitor` (the last below, with
the real git). Such a value is one file or folder name now, as in `ssh -F /etc/ssh/{{ env }}.conf`; a name passes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers_runbook import exec_one, held_to_one_name, takes_any_path
from shell_holes import RUNBOOK

from runbook_tui.runbook.templating import render_command

SHAPES = [
    "nginx -t -c /etc/nginx/{{ x }}.conf",
    "nginx -c /etc/nginx/{{ x }}/nginx.conf -s reload",
    "haproxy -c -f /etc/haproxy/{{ x }}.cfg",
    "logrotate -f /etc/logrotate.d/{{ x }}",
    "logrotate -s /var/lib/logrotate/status /etc/logrotate.d/{{ x }}",
    "git --git-dir=/srv/repos/{{ x }}.git status",
    "git -c color.ui=never --git-dir /srv/repos/{{ x }}.git fetch origin",
    "crontab -u app /srv/cron/{{ x }}",
    "ansible-playbook --check -i /srv/inventories/{{ x }} site.yml",
    "ansible-playbook -l web /srv/playbooks/{{ x }}.yml",
    "kubectl apply -f /srv/manifests/{{ x }}.yaml",
    "kubectl apply -k /srv/overlays/{{ x }}",
    "systemctl link /srv/units/{{ x }}.service",
    "redis-cli --eval /srv/lua/{{ x }}.lua key",
]


@pytest.mark.parametrize("template", SHAPES)
def test_a_value_picking_the_file_is_one_name(template: str) -> None:
    held_to_one_name(template, "prod-1.2", ("../upload", "../../tmp/upload/evil", "/tmp/upload/evil"))


@pytest.mark.parametrize("template", ["kubectl apply -f {{ x }}", "logrotate -f {{ x }}", 'git --git-dir="{{ x }}" status', "nginx -c {{ x }}"])
def test_a_value_alone_names_the_whole_file_as_the_author_chose(template: str) -> None:
    assert [v for _, v in render_command(template, {"x": "/etc/app/a b.conf"}).env] == ["/etc/app/a b.conf"], template


@pytest.mark.parametrize(
    "template",
    [
        "ansible-playbook site.yml -l {{ x }} -e version=1",
        "logrotate -s /var/lib/{{ x }}/state /etc/logrotate.conf",
        "kubectl logs -f deploy/{{ x }}",
        "git rev-parse --git-dir {{ x }}",
        "crontab -l -u {{ x }}",
        "systemctl restart {{ x }}",
    ],
)
def test_a_value_in_no_such_file_takes_a_path(template: str) -> None:
    takes_any_path(template)


def test_exec_refuses_the_uploaded_repository(tmp_path: Path) -> None:
    marker = tmp_path / "F"
    for repo in ("repos/prod.git", "upload/evil.git"):
        subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / repo)], check=True)
    subprocess.run(["git", f"--git-dir={tmp_path}/upload/evil.git", "config", "core.fsmonitor", f"touch {marker}; false"], check=True)
    (tmp_path / "work").mkdir()
    path = tmp_path / "git.yaml"
    path.write_text(RUNBOOK.format(run=f"git --git-dir={tmp_path}/repos/{{{{ x }}}}.git --work-tree={tmp_path}/work status --short"), encoding="utf-8")

    assert exec_one(path, "../upload/evil", tmp_path / "j1.jsonl") == 2
    assert not marker.exists()
    assert exec_one(path, "prod", tmp_path / "j2.jsonl") == 0
    assert not marker.exists()
