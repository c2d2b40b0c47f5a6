"""`rsh HOST CMD...` (and HP-UX `remsh`, `rcmd`) joins its words after HOST with spaces and the host's shell parses
that text again, as `ssh HOST CMD...` does: `rsh db1 "ls {{ x }}"` with x = `a; reboot` passed (rsh was no
known command, so the value was one word to the local shell only), and would run reboot on db1. Now a value
there is a second-level shell's, as for ssh: refused unless `| shq` quotes it for that shell; a value rsh reads
as its own argument (the host, `-l USER`, `-t TIMEOUT`) stays data, and a value fed on stdin to `rsh HOST` with
no command (a login shell reads it) is refused as for `ssh HOST`.
"""

from __future__ import annotations

import pytest

from runbook_tui.runbook.templating import TemplateError, render_command

HOSTILE = "a b; touch pwned $(touch pwned)"


@pytest.mark.parametrize(
    "template",
    ['rsh db1 "ls {{ x }}"', "rsh db1 ls {{ x }}", "rsh -l app -t 5 db1 ls {{ x }}", "remsh db1 ls {{ x }}", "rcmd db1 ls {{ x }}"],
)
def test_a_value_in_the_remote_command_is_refused_unless_quoted_for_that_shell(template: str) -> None:
    with pytest.raises(TemplateError, match="parses this value again as shell code"):
        render_command(template, {"x": HOSTILE})
    quoted = render_command(template.replace("{{ x }}", "{{ x | shq }}"), {"x": HOSTILE})
    assert dict(quoted.env)["RBT_V1"] == "'a b; touch pwned $(touch pwned)'"


@pytest.mark.parametrize("template", ["rsh {{ x }} uptime", "rsh -l {{ x }} db1 uptime", "rsh -t {{ x }} db1 uptime"])
def test_a_value_rsh_reads_as_its_own_argument_is_data(template: str) -> None:
    assert [value for _, value in render_command(template, {"x": "db 1"}).env] == ["db 1"]


def test_a_value_fed_to_a_remote_login_shell_is_refused() -> None:
    with pytest.raises(TemplateError):
        render_command('echo "{{ x }}" | rsh db1', {"x": HOSTILE})
