"""A value written to a file run later through a variable: `v="{{ x }}"; echo "$v" > /etc/cron.d/job`.

A value written there directly was code to the program that runs the file (only a plain word passes), but the same
value held by a variable first, a `$1` of an inner shell or an exported variable, validated with `a; touch /tmp/pwned`,
which cron (or the next login shell) then runs. What the variables written there hold is now that program's code too.
"""

from __future__ import annotations

import pytest
from helpers_runbook import takes_any_value

from runbook_tui.runbook.templating import TemplateError, render_command


@pytest.mark.parametrize(
    ("template", "cwd"),
    [
        ('v="{{ x }}"; echo "$v" > /etc/cron.d/job', None),
        ('v="{{ x }}"; echo "* * * * * root ${v}" >> /etc/crontab', None),
        ('export V="{{ x }}"; printf %s "$V" > /etc/sudoers.d/app', None),
        ('sh -c \'echo "$1" > /etc/cron.d/job\' sh "{{ x }}"', None),
        ('v="{{ x }}"; cd /etc/cron.d && echo "$v" > job', None),
        ('v="{{ x }}"; echo "$v" >> .bashrc', "~"),
        ('v="{{ x }}"\ncat > /etc/cron.d/job <<EOF\n* * * * * root $v\nEOF\n', None),
    ],
)
def test_a_value_a_variable_writes_to_a_file_run_later_is_a_plain_word(template: str, cwd: str | None) -> None:
    for hostile in ("a; touch /tmp/pwned", "$(touch /tmp/pwned)"):
        with pytest.raises(TemplateError, match=r"is code to .*give the parameter a pattern"):
            render_command(template, {"x": hostile}, cwd)
    assert [v for _, v in render_command(template, {"x": "prod-eu.1"}, cwd).env] == ["prod-eu.1"]


@pytest.mark.parametrize(
    "template",
    [
        'v="{{ x }}"; echo "$v" > /tmp/job',
        'v="{{ x }}"; w=other; echo "$w" > /etc/cron.d/job; echo "$v"',
        "v=\"{{ x }}\"\ncat > /etc/cron.d/job <<'EOF'\n* * * * * root $v\nEOF\n",
    ],
)
def test_a_variable_written_elsewhere_or_not_expanded_takes_any_value(template: str) -> None:
    takes_any_value(template)
