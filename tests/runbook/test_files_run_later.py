"""A value written to a file something else runs later as code: a cron table, a login shell's profile, a systemd unit,
sudoers, authorized_keys.

`echo "* * * * * root {{ x }}" > /etc/cron.d/job` kept the value one word for this shell, then cron ran the line
(`a; touch F` there runs touch every minute, as root); `cat >> ~/.bashrc <<EOF` the same at the next login. A file this
command runs itself was already held (`> f.sh; sh f.sh`); these run later, by another program. A value written there
is now code to that program: a plain word passes, anything else is refused before anything runs.
"""

from __future__ import annotations

import pytest
from helpers_runbook import takes_any_value

from runbook_tui.runbook.templating import TemplateError, render_command

TEMPLATES = [
    'echo "* * * * * root /usr/local/bin/backup {{ x }}" > /etc/cron.d/backup',
    "printf '%s\\n' \"0 3 * * * {{ x }}\" | sudo tee -a /var/spool/cron/crontabs/root",
    "cat > /etc/cron.d/backup <<EOF\n0 3 * * * root /usr/local/bin/backup {{ x }}\nEOF",
    'echo "export APP_ENV={{ x }}" >> ~/.bashrc',
    "cat >> /etc/profile.d/app.sh <<EOF\nexport APP_ENV={{ x }}\nEOF",
    "sudo tee /etc/systemd/system/app.service <<EOF\n[Service]\nExecStart=/usr/bin/app --env {{ x }}\nEOF",
    'echo "deploy ALL=(root) NOPASSWD: /usr/bin/systemctl restart {{ x }}" > /etc/sudoers.d/deploy',
    'echo "{{ x }}" >> ~/.ssh/authorized_keys',
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_value_in_a_file_run_later_is_a_plain_word(template: str) -> None:
    for hostile in ("a; touch /tmp/pwned", "$(touch /tmp/pwned)", "a\n* * * * * root touch /tmp/pwned"):
        with pytest.raises(TemplateError, match=r"is code to"):
            render_command(template, {"x": hostile})
    assert [v for _, v in render_command(template, {"x": "prod-eu.1"}).env] == ["prod-eu.1"]


def test_a_value_in_another_file_is_data() -> None:
    for template in ('echo "{{ x }}" > /var/log/app/marker', "cat > /etc/app/motd <<EOF\n{{ x }}\nEOF", 'echo "{{ x }}" >> ~/notes.txt'):
        takes_any_value(template)
