"""More files another program runs later as code: a python `.pth` file or `sitecustomize.py` in a folder of modules,
a systemd-tmpfiles entry, a unit under `/run/systemd/`.

`echo "{{ x }}" > /usr/lib/python3/dist-packages/app.pth` validated with x = `import os; os.system("touch F")`, and
python ran it at its next start (below, with python's own site module, as every python does); a tmpfiles.d entry
validated with x = `f /etc/cron.d/app … root CMD` and systemd-tmpfiles wrote that cron line (below, in a --root).
Each is code to the program that reads it now: only a plain word passes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_runbook import refused_as_code_to_a_file_run_later, takes_any_value


@pytest.mark.parametrize(
    "template",
    [
        'echo "{{ x }}" > /usr/lib/python3/dist-packages/app.pth',
        'echo "{{ x }}" | sudo tee /srv/venv/lib/python3.11/site-packages/sitecustomize.py',
        'echo "{{ x }}" > /etc/tmpfiles.d/app.conf',
        'echo "{{ x }}" > /usr/lib/tmpfiles.d/app.conf',
        'echo "{{ x }}" > /run/systemd/system/app.service',
    ],
)
def test_a_value_in_such_a_file_is_a_plain_word(template: str) -> None:
    refused_as_code_to_a_file_run_later(template)


def test_a_pth_named_file_elsewhere_takes_any_value() -> None:
    takes_any_value('echo "{{ x }}" > /srv/app/notes.pth')


def test_what_python_and_systemd_tmpfiles_did_with_such_values(tmp_path: Path) -> None:
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    packages = tmp_path / "site-packages"
    packages.mkdir()
    subprocess.run(["sh", "-c", f'echo "$V" > {packages}/app.pth'], env={**env, "V": f'import os; os.system("touch {made}")'}, check=True, timeout=30)
    subprocess.run([sys.executable, "-c", f"import site; site.addsitedir({str(packages)!r})"], env=env, check=True, timeout=60)
    assert made.exists()
    root, conf = tmp_path / "root", tmp_path / "app.conf"
    (root / "etc" / "cron.d").mkdir(parents=True)
    line = f"f /etc/cron.d/app 0644 - - - * * * * * root touch {made}-cron"
    subprocess.run(["sh", "-c", f'echo "$V" > {conf}'], env={**env, "V": line}, check=True, timeout=30)
    subprocess.run(["systemd-tmpfiles", "--create", f"--root={root}", str(conf)], env=env, capture_output=True, timeout=60)
    assert (root / "etc" / "cron.d" / "app").read_text(encoding="utf-8") == f"* * * * * root touch {made}-cron"
