"""A one-line command of plain words whose output goes to a file run later: `echo {{ x }} > /etc/cron.d/job`.

Such a command (no quote, operator or expansion, its output sent to a plain file at its end) is read the short way
(`shell_classify`), which set the trailing redirection aside unread: `echo "{{ x }}" > /etc/cron.d/job` was refused
for a value not a plain word, but the same without quotes (or `printf %s {{ x }} > /usr/local/bin/healthcheck`)
validated with `a; touch /tmp/pwned`, which cron then runs. A trailing redirection to a file run later is now read in
full (`~/.bashrc` never was a plain target: it was refused already).
"""

from __future__ import annotations

import pytest
from helpers_runbook import takes_any_value

from runbook_tui.runbook.templating import TemplateError, render_command


@pytest.mark.parametrize(
    "template",
    [
        "echo * * * * * root {{ x }} > /etc/cron.d/job",
        "echo {{ x }} > /etc/sudoers.d/app",
        "printf %s {{ x }} > /usr/local/bin/healthcheck",
        "echo {{ x }} >> /etc/profile.d/app.sh",
        "echo {{ x }} >> ~/.bashrc",
    ],
)
def test_a_value_a_plain_command_writes_to_a_file_run_later_is_a_plain_word(template: str) -> None:
    for hostile in ("a; touch /tmp/pwned", "$(touch /tmp/pwned)"):
        with pytest.raises(TemplateError, match=r"is code to .*give the parameter a pattern"):
            render_command(template, {"x": hostile})
    assert [v for _, v in render_command(template, {"x": "prod-eu.1"}).env] == ["prod-eu.1"]


@pytest.mark.parametrize("template", ["echo {{ x }} > /tmp/job", "echo {{ x }} >> marks", "systemctl restart {{ x }} > /var/log/restart.log"])
def test_a_plain_command_writing_another_file_takes_any_value(template: str) -> None:
    takes_any_value(template)
