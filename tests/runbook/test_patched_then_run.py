"""A value picking the patch a command applies to the code it then runs: `git apply /srv/patches/{{ v }}.patch &&
make`, `patch -p1 < /srv/patches/{{ v }}.patch && make`.

With v = `../upload`, `runbook-tui exec` of each validated, applied the uploaded patch (it made the Makefile's recipe
touch a marker file) and ran it (below, with the real git, patch and make). A patch fills its folder as an archive does
(`shell_archives`): the value is one file or folder name there now; a patch nothing then runs takes any value.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers_runbook import exec_one, held_to_one_name, takes_any_path
from shell_holes import RUNBOOK

SHAPES = [
    "git apply /srv/patches/{{ x }}.patch && make",
    "patch -p1 < /srv/patches/{{ x }}.patch && make",
    "patch -p1 -i /srv/patches/{{ x }}.patch && ./deploy.sh",
    "cat /srv/patches/{{ x }}.patch | git apply && make install",
    "git -C /srv/app apply /srv/patches/{{ x }}.patch && make -C /srv/app",
]


def _repo(root: Path, marker: Path) -> Path:
    """A repository root/app whose Makefile prints; root/patches/1.2.3.patch changes what it prints, root/upload.patch
    makes it touch `marker`."""
    app = root / "app"
    (root / "patches").mkdir(parents=True)
    app.mkdir()
    git = ["git", "-C", str(app), "-c", "user.name=t", "-c", "user.email=t@t"]
    (app / "Makefile").write_text("all:\n\t@echo built\n", encoding="utf-8")
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "r"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    for patch, recipe in (("patches/1.2.3.patch", "@echo built 1.2.3"), ("upload.patch", f"@touch {marker}")):
        (app / "Makefile").write_text(f"all:\n\t{recipe}\n", encoding="utf-8")
        (root / patch).write_bytes(subprocess.run([*git, "diff"], check=True, capture_output=True).stdout)
    subprocess.run([*git, "checkout", "-q", "Makefile"], check=True)
    return app


@pytest.mark.parametrize("template", SHAPES)
def test_a_value_picking_the_patch_is_one_name(template: str) -> None:
    held_to_one_name(template, "1.2.3", ("../upload", "/tmp/upload"))


@pytest.mark.parametrize("template", SHAPES[:2])
def test_exec_refuses_the_uploaded_patch_and_applies_the_release(template: str, tmp_path: Path) -> None:
    marker = tmp_path / "F"
    app = _repo(tmp_path / "srv", marker)
    path = tmp_path / "r.yaml"
    path.write_text(RUNBOOK.format(run=f"cd {app} && {template.replace('/srv', str(tmp_path / 'srv'))} > {tmp_path}/out"), encoding="utf-8")
    assert exec_one(path, "../upload", tmp_path / "j1.jsonl") == 2
    assert not marker.exists()
    assert exec_one(path, "1.2.3", tmp_path / "j2.jsonl") == 0
    assert (tmp_path / "out").read_text().splitlines()[-1] == "built 1.2.3"


@pytest.mark.parametrize(
    "template",
    [
        "git apply --check /srv/patches/{{ x }}",
        "patch -p1 --dry-run < /srv/patches/{{ x }} && git diff",
        "git apply /srv/patches/{{ x }} && systemctl restart app",
    ],
)
def test_a_patch_nothing_then_runs_takes_any_value(template: str) -> None:
    takes_any_path(template)
