"""A value starting with `-` that reaches ssh, git, curl… as an option through a variable: `for h in {{ hosts }}; do
ssh "$h" uptime; done`.

`ssh "{{ x }}" uptime` refused a value starting with `-` (ssh reads `-oProxyCommand=CMD` and runs CMD), but the same
value held by a variable first passed: a loop over hosts, `h="{{ x }}"`, `read h`, a function's `"$1"`, `set --`,
`${H:-{{ x }}}`, `"$(echo "{{ x }}")"`, `xargs git checkout` and a step's `env:` all validated with
x = `-oProxyCommand=touch F`, and ssh ran touch (below, with the real ssh). What those variables hold is now read as
the option it would be.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from runbook_tui.runbook.shell_environment import environment_refusal
from runbook_tui.runbook.templating import TemplateError, render_command

HOSTILE = "-oProxyCommand=touch /tmp/pwned"


@pytest.mark.parametrize(
    ("template", "program"),
    [
        ('for h in {{ x }}; do ssh "$h" uptime; done', "ssh"),
        ('h="{{ x }}"; ssh -o BatchMode=yes "$h" uptime', "ssh"),
        ('printf \'%s\\n\' "{{ x }}" | while read -r h; do ssh "$h" uptime; done', "ssh"),
        ('restart() { ssh "$1" sudo systemctl restart app; }; restart "{{ x }}"', "ssh"),
        ('set -- "{{ x }}"; scp release.tgz "$1"', "scp"),
        ("ssh ${HOST:-{{ x }}} uptime", "ssh"),
        ('git checkout "$(echo "{{ x }}")"', "git"),
        ('echo "{{ x }}" | xargs git checkout', "git"),
        ('url="{{ x }}"; curl -fsS "$url"', "curl"),
        ('f="{{ x }}"; tar -xzf "$f"', "tar"),
    ],
)
def test_a_variable_read_as_an_option_takes_no_value_starting_with_a_dash(template: str, program: str) -> None:
    with pytest.raises(TemplateError, match=f"would be read by {program} as an option"):
        render_command(template, {"x": HOSTILE})
    assert [v for _, v in render_command(template, {"x": "web-1.prod"}).env] == ["web-1.prod"]


@pytest.mark.parametrize(
    "template",
    [
        'for h in {{ x }}; do ssh -- "$h" uptime; done',
        'h="{{ x }}"; git log --oneline -- "$h"',
        'h="{{ x }}"; echo "$h"',
        'h="db-{{ x }}"; printf "%s" "$h" | grep -c db',
        'echo "{{ x }}" | xargs git checkout --',
    ],
)
def test_after_dash_dash_or_elsewhere_any_value_passes(template: str) -> None:
    assert [v for _, v in render_command(template, {"x": HOSTILE}).env] == [HOSTILE]


def test_a_step_env_value_read_as_an_option_is_refused() -> None:
    assert environment_refusal('ssh "$HOST" uptime', [("HOST", HOSTILE)]) == (
        f"env HOST: a value starting with '-' would be read by ssh as an option ({HOSTILE!r}); write -- before the operands"
    )
    assert environment_refusal('ssh "$HOST" uptime', [("HOST", "web-1.prod")]) is None
    assert environment_refusal('ssh -- "$HOST" uptime', [("HOST", HOSTILE)]) is None


def test_what_ssh_did_with_such_a_value(tmp_path: Path) -> None:
    made = tmp_path / "made"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RBT_V1": f"-oProxyCommand=touch {made}"}
    script = 'for h in "${RBT_V1}"; do ssh -o BatchMode=yes -o ConnectTimeout=5 "$h" uptime; done'
    subprocess.run(["sh", "-c", script], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert made.exists()
