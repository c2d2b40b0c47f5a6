"""A value inside the folder terraform runs in: `terraform -chdir=envs/{{ env }} apply`.

`cd`, `git -C`, `make -C` and `env -C` took a value inside the folder they name as one file or folder name (session 33);
terraform's `-chdir=` took any value, and the folder picks the `.tf` code terraform runs (a `local-exec` provisioner, the
`external` data source): with env = `../../tmp/upload` it applied the uploaded folder and ran its command (below, with
the real terraform, offline). Such a value is one file or folder name now; a folder that is one value alone
(`-chdir="{{ dir }}"`) is named whole by a parameter, as `cd "{{ dir }}"` is.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from runbook_tui.runbook.templating import TemplateError, render_command


@pytest.mark.parametrize("template", ["terraform -chdir=envs/{{ x }} apply -auto-approve", 'terraform -chdir="/srv/infra/{{ x }}" plan'])
def test_a_value_inside_terraforms_folder_is_one_name(template: str) -> None:
    for value in ("../../tmp/upload", "a/b", ".."):
        with pytest.raises(TemplateError, match="expected one file or folder name"):
            render_command(template, {"x": value})
    assert [v for _, v in render_command(template, {"x": "prod-eu"}).env] == ["prod-eu"]


@pytest.mark.parametrize("template", ['terraform -chdir="{{ x }}" plan', 'terraform -chdir=envs/prod apply -var "tag={{ x }}"'])
def test_the_whole_folder_or_another_value_takes_any_value(template: str) -> None:
    assert [v for _, v in render_command(template, {"x": "../a b/$(c)"}).env] == ["../a b/$(c)"]


def test_what_terraform_did_with_such_a_folder(tmp_path: Path) -> None:
    upload, made = tmp_path / "tmp" / "upload", tmp_path / "made"
    upload.mkdir(parents=True)
    (upload / "main.tf").write_text(
        f'resource "terraform_data" "x" {{\n  provisioner "local-exec" {{\n    command = "touch {made}"\n  }}\n}}\n', encoding="utf-8"
    )
    (tmp_path / "infra" / "envs").mkdir(parents=True)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "RBT_V1": "../../tmp/upload"}
    for command in ("init -input=false", "apply -auto-approve -input=false"):
        subprocess.run(["sh", "-c", f'terraform -chdir="envs/${{RBT_V1}}" {command}'], cwd=tmp_path / "infra", env=env, capture_output=True, timeout=300)
    assert made.exists()
