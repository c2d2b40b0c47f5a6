"""A value picking what one step places in a folder that another step runs from: `tar -xzf /srv/releases/{{ v }}.tgz
-C /srv/app` in one step, `/srv/app/migrate.sh` in the next (also a copy, a link, a download, a clone).

Session 37 held such a value to one name within one command; steps were read alone, so with v = `../upload` the
two-step runbook below validated and `runbook-tui exec` ran the uploaded migrate.sh. At load, with the values, a step
placing files in a folder another step runs code from (a program or a script there, a `cd` or `cwd` to it) is read
again: the value is one file or folder name there. A value that is a whole word names the file as the author chose
(`cp -a {{ cert }} /srv/backup/`), and a backup or a restore no other step runs from takes any path, as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_runbook import at, exec_one, load, only_error, releases
from shell_holes import RUNBOOK


def _runbook(tmp_path: Path, place: str, use: str) -> Path:
    """A runbook whose step `one` runs `place` (line 11, column 11) and step `use` then runs `use`."""
    path = tmp_path / "two.yaml"
    path.write_text(RUNBOOK.format(run=place) + f"      - id: use\n        run: |\n          {use}\n", encoding="utf-8")
    return path


def test_exec_refuses_the_upload_and_runs_the_release(tmp_path: Path) -> None:
    srv, marker = tmp_path / "srv", tmp_path / "F"
    releases(srv, marker)
    (srv / "app").mkdir()
    path = _runbook(tmp_path, f"tar -xzf {srv}/releases/{{{{ x }}}}.tgz -C {srv}/app", f"{srv}/app/migrate.sh > {tmp_path}/out")
    assert exec_one(path, "../upload", tmp_path / "j1.jsonl") == 2
    assert not marker.exists()
    assert exec_one(path, "1.2.3", tmp_path / "j2.jsonl") == 0
    assert (tmp_path / "out").read_text() == "migrated\n"


@pytest.mark.parametrize(
    ("place", "use"),
    [
        ("tar -xzf /srv/releases/{{ x }}.tgz -C /srv/app", "/srv/app/migrate.sh"),
        ("unzip -o /srv/releases/{{ x }}.zip -d /srv/app", "cd /srv/app && ./migrate.sh"),
        ("curl -fsS https://rel.example.com/{{ x }}.tgz | tar -xz -C /srv/app", "sh /srv/app/migrate.sh"),
        ("cp /srv/releases/{{ x }}/migrate.sh /srv/bin/", "/srv/bin/migrate.sh"),
        ("ln -sfn /srv/releases/{{ x }} /srv/current", "/srv/current/bin/migrate"),
        ("curl -fsSo /srv/bin/m.sh https://rel.example.com/{{ x }}/m.sh", "sh /srv/bin/m.sh"),
        ("git clone /srv/repos/{{ x }} /srv/app", "make -C /srv/app"),
    ],
)
def test_a_value_picking_what_another_step_runs_is_one_name(tmp_path: Path, place: str, use: str) -> None:
    path = _runbook(tmp_path, place, use)
    found = only_error(path, {"x": "../upload"})
    assert at(found) == (11, 11 + place.index("{{ x }}")), found
    assert "another step runs code from where this command puts what the value picks" in found.message
    assert "expected one file or folder name" in found.message
    assert load(path, {"x": "1.2.3"}).runbook.steps[0].body is not None


@pytest.mark.parametrize(
    ("place", "use"),
    [
        ("tar -xzf /srv/backups/{{ x }} -C /srv/restore", "ls -l /srv/restore"),  # nothing runs from /srv/restore
        ("cp -a {{ x }} /srv/backup/app.conf", "cp -a /srv/backup/app.conf /etc/app.conf"),  # the whole file, as chosen
        ("tar -xzf {{ x }} -C /srv/app", "/srv/app/migrate.sh"),
        ("cp /srv/backup/app.conf /srv/app/{{ x }}", "/srv/app/run.sh"),  # (the value names where it goes: no pick)
        ("cp -a {{ x }}/app.conf /srv/backup/app.conf", "diff /srv/backup/app.conf {{ x }}/app.conf"),  # named, not run
        ("tar -xzf /srv/backups/{{ x }} -C /srv/app", "cp /srv/app/app.conf /etc/app.conf && cat /srv/app/VERSION"),
    ],
)
def test_what_no_other_step_runs_from_or_a_whole_value_takes_any_path(tmp_path: Path, place: str, use: str) -> None:
    path = _runbook(tmp_path, place, use)
    assert load(path, {"x": "/srv/backups/2026/12/app.tgz"}).runbook.steps[0].body is not None, place


def test_a_check_writing_to_dev_null_places_nothing(tmp_path: Path) -> None:
    """`curl -o /dev/null https://{{ x }}/healthz` keeps nothing: another step naming /dev/null runs nothing from it."""
    path = _runbook(tmp_path, "curl -fsS -o /dev/null https://{{ x }}/healthz", "cat /srv/app.conf > /dev/null")
    assert load(path, {"x": "/var/lib/app"}).runbook.steps[0].body is not None
