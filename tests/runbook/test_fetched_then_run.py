"""A value picking an archive read on stdin, a 7-Zip or cpio archive, or a download, then run from where it landed:
`curl https://rel.example.com/{{ v }}.tgz | tar -xz -C d && d/migrate.sh`, `cpio -idm < /srv/releases/{{ v }}.cpio &&
./migrate.sh`, `curl -o /tmp/m.sh https://rel.example.com/{{ v }}/migrate.sh && sh /tmp/m.sh`, `git clone`, `scp`.

Session 37 held the archive a `tar -xf FILE` or `unzip` picked to one name; with v = `../upload`, `runbook-tui exec`
of each shape here still validated and ran the uploaded `migrate.sh` (curl, like a web server, reads `..` in a URL's
path, and `%2e%2e` too). The value is one file or folder name there now; an archive or a download nothing runs from
(a restore, a listing, a backup fetched) takes any value.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import exec_one, held_to_one_name, ran_uploaded, releases, takes_any_path
from shell_holes import RUNBOOK

#: Shapes run for real below (curl reads file:// URLs; tar and git are on every host the tests run on).
RUN = [
    "curl -fsS file:///srv/releases/{{ x }}.tgz | tar -xz -C d && d/migrate.sh",
    "gzip -dc /srv/releases/{{ x }}.tgz | tar -x -C d && sh d/migrate.sh",
    "tar -xzf - -C d < /srv/releases/{{ x }}.tgz && d/migrate.sh",
    "tar --file - -xz < /srv/releases/{{ x }}.tgz && sh migrate.sh",
    "curl -fsSLo /srv/bin/m.sh file:///srv/releases/{{ x }}/migrate.sh && sh /srv/bin/m.sh",
    "curl -fsS --output m.sh file:///srv/releases/{{ x }}/migrate.sh && sh m.sh",
    "scp /srv/releases/{{ x }}/migrate.sh m.sh && sh m.sh",
    "git clone -q /srv/repos/{{ x }} d/app && d/app/migrate.sh",
]
SHAPES = [
    *RUN,
    "wget -qO- https://rel.example.com/{{ x }}.tgz | tar -xz && ./migrate.sh",
    "wget -qO /tmp/m.sh https://rel.example.com/{{ x }}/migrate.sh && bash /tmp/m.sh",
    "wget -q https://rel.example.com/{{ x }}/install.sh && sh install.sh",
    "7z x -y /srv/releases/{{ x }}.7z -od && d/migrate.sh",
    "cpio -idm < /srv/releases/{{ x }}.cpio && ./migrate.sh",
    "cpio -i -D /srv/app < /srv/releases/{{ x }}.cpio && /srv/app/migrate.sh",
    "git clone https://git.example.com/{{ x }}.git app && make -C app",
]


def _srv(root: Path, marker: Path) -> None:
    """`releases`, and each release's migrate.sh as a file and as a git repository: /srv/releases/1.2.3/, /srv/upload/."""
    releases(root, marker)
    for stem, body in (("releases/1.2.3", "echo migrated"), ("upload", f"touch {marker}")):
        (root / stem).mkdir()
        (root / stem / "migrate.sh").write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        (root / stem / "migrate.sh").chmod(0o755)
    shutil.copytree(root / "releases/1.2.3", root / "repos/1.2.3")
    for repo in (root / "repos/1.2.3", root / "upload"):  # /srv/repos/../upload is the uploaded folder
        git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
        for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "r"]):
            subprocess.run([*git, *args], check=True, capture_output=True)


@pytest.mark.parametrize("template", SHAPES)
def test_a_value_picking_what_runs_is_one_name(template: str) -> None:
    held_to_one_name(template, "1.2.3", ("../upload", "/tmp/upload", "%2e%2e", "%2E%2E%2Fupload"))


@pytest.mark.parametrize("template", RUN[:1] + RUN[4:5])
def test_exec_refuses_the_upload_and_runs_the_release(template: str, tmp_path: Path) -> None:
    srv, marker = tmp_path / "srv", tmp_path / "F"
    _srv(srv, marker)
    path = tmp_path / "r.yaml"
    path.write_text(RUNBOOK.format(run=f"cd {srv}/work && {template.replace('/srv', str(srv))} > {tmp_path}/out"), encoding="utf-8")

    assert exec_one(path, "../upload", tmp_path / "j1.jsonl") == 2
    assert not marker.exists()
    assert exec_one(path, "1.2.3", tmp_path / "j2.jsonl") == 0
    assert (tmp_path / "out").read_text() == "migrated\n"


@pytest.mark.parametrize("template", RUN)
def test_the_uploaded_program_ran(template: str, tmp_path: Path) -> None:
    _srv(tmp_path / "srv", tmp_path / "F")
    ran_uploaded(template, tmp_path / "srv", tmp_path / "F")


@pytest.mark.parametrize(
    "template",
    [
        "curl -fsS https://backups.example.com/{{ x }} | tar -xz -C /srv/restore && ls -l /srv/restore",
        "tar -tzf - < /srv/backups/{{ x }} && ./check.sh",
        "curl -fsS -o /srv/backups/{{ x }} https://backups.example.com/{{ x }} && ./verify.sh",
        "git clone /srv/repos/{{ x }} d && git -C d log -1",
        'curl -fsS "https://api.example.com/v1/{{ x }}" | jq . && ./report.sh',
    ],
)
def test_what_nothing_runs_from_takes_any_value(template: str) -> None:
    takes_any_path(template)
