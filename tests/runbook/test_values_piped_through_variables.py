"""A value reaching a shell, an interpreter or a file run later through a variable and a pipe: `echo "$v" | sh`.

Values in a pipeline were followed from stage to stage, but the variables expanded there were not: with
`v="{{ x }}"; echo "$v" | sh` and x = `a; touch F` `validate` said ok and sh ran touch (below, with the real sh); so did
`| python3 -`, `| psql`, `| ssh db1`, and `| tee /etc/cron.d/job` or `| tee -a ~/.bashrc` wrote the value where cron or
the next interactive bash runs it (below, with bash). What the variables of earlier stages hold (and of a here-string,
a `{ ...; }` or a `( ... )` before the pipe) now reaches the command fed, as a value written there directly does.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import refused_as_code_to_a_file_run_later, takes_any_value

from runbook_tui.runbook.shell_environment import environment_refusal
from runbook_tui.runbook.templating import TemplateError, render_command

HOSTILE = "a; touch /tmp/pwned"


@pytest.mark.parametrize(
    ("template", "why"),
    [
        ('v="{{ x }}"; echo "$v" | sh', "'sh reading stdin' expands into a script"),
        ('v="{{ x }}"; printf \'%s\\n\' "$v" | bash -s', "'bash reading stdin' expands into a script"),
        ('v="{{ x }}"; echo "$v" | ssh db1', "'ssh reading stdin' expands into a script"),
        ('v="{{ x }}"; echo "$v" | tee f.sh; sh f.sh', "'f.sh, written with it, then run'"),
        ('v="{{ x }}"; echo "$v" | base64 | base64 -d > f.sh; . ./f.sh', "written with it, then run"),
        ('v="{{ x }}"; echo "$v" | python3 -', "code to python3"),
        ('v="{{ x }}"; echo "$v" | psql -d app', "code to psql"),
        ('v="{{ x }}"; cat <<< "$v" | perl', "code to perl"),
    ],
)
def test_a_variable_piped_into_a_program_reading_code_is_refused(template: str, why: str) -> None:
    with pytest.raises(TemplateError) as info:
        render_command(template, {"x": HOSTILE})
    assert why in str(info.value)


@pytest.mark.parametrize(
    "template",
    [
        'v="{{ x }}"; echo "$v" | tee /etc/cron.d/job',
        'v="{{ x }}"; echo "$v" | sudo tee -a /etc/crontab',
        'v="{{ x }}"; printf \'%s\\n\' "$v" | tee -a "$HOME/.bashrc"',
        'v="{{ x }}"; echo "$v" | cat > /etc/cron.d/job',
        'v="{{ x }}"; tee /etc/cron.d/job <<< "$v"',
        'v="{{ x }}"; { echo "* * * * * root $v"; } | tee /etc/cron.d/job',
        'v="{{ x }}"; (echo "$v") | sponge /etc/cron.d/job',
        'v="{{ x }}"; echo "$v" | ssh db1 sudo tee /etc/cron.d/job',
    ],
)
def test_a_variable_piped_to_a_file_run_later_is_a_plain_word(template: str) -> None:
    refused_as_code_to_a_file_run_later(template)


@pytest.mark.parametrize(
    "template",
    [
        'v="{{ x }}"; echo "$v" | tee /var/log/app.log',
        'v="{{ x }}"; echo "$v" | grep -c a',
        'v="{{ x }}"; echo "$v" | sh -c \'read -r l; printf "%s" "$l"\'',
        'v="{{ x }}"; echo "$v" | tee /var/log/app.log; echo "0 3 * * * root /usr/local/bin/rotate" | tee /etc/cron.d/rotate',
    ],
)
def test_a_variable_piped_to_data_takes_any_value(template: str) -> None:
    takes_any_value(template)


def test_a_step_env_value_piped_into_a_shell_is_refused() -> None:
    """`env: {CMD: "{{ x }}"}` and `run: echo "$CMD" | sh`: the environment's variables are followed the same way."""
    refusal = environment_refusal('echo "$CMD" | sh', [("CMD", HOSTILE)])
    assert refusal is not None and refusal.startswith("env CMD: the command expands $CMD into a script 'sh reading stdin'")
    refusal = environment_refusal('printf "%s\\n" "$LINE" | sudo tee -a /etc/crontab', [("LINE", HOSTILE)])
    assert refusal is not None and "cron's program" in refusal
    assert environment_refusal('echo "$CMD" | tee -a /etc/crontab', [("CMD", "nginx")]) is None


def test_what_sh_and_bash_did_with_such_values(tmp_path: Path) -> None:
    """The commands as they ran before (the value out of band, one word): sh ran it, and the .bashrc it was written to
    ran it at the next interactive bash."""
    made, later = tmp_path / "made", tmp_path / "later"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RBT_V1": f"a; touch {made}"}
    subprocess.run(["sh", "-c", 'v="${RBT_V1}"; echo "$v" | sh'], env=env, capture_output=True, timeout=30)
    assert made.exists()
    env["RBT_V1"] = f"$(touch {later})"
    subprocess.run(["sh", "-c", 'v="${RBT_V1}"; echo "$v" | tee -a "$HOME/.bashrc"'], env=env, check=True, capture_output=True, timeout=30)
    assert not later.exists()
    subprocess.run(["bash", "-i", "-c", "true"], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert later.exists()
