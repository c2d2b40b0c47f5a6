"""Commands that hand a value to a shell or a program elsewhere: fleets over SSH, ansible, salt, container
entrypoints, sg, make, eval of a variable. The refusals that run for real are cases of `shell_context_cases`; these
check that what is data to them (a host list, a file to copy, a value as an argument) still passes."""

from __future__ import annotations

import pytest

from runbook_tui.runbook.shell_values import static_problems
from runbook_tui.runbook.templating import TemplateError, render_command

HOSTILE = "a b; touch pwned $(touch pwned)"


@pytest.mark.parametrize(
    "template",
    [
        "pdsh -w {{ x }} uptime",  # the host list is pdsh's own argument
        "pdsh -w db1 -l {{ x }} uptime",
        "clush -w {{ x }} -b uptime",
        "clush -w db1 --copy {{ x }} --dest /tmp",  # no command: files to copy
        "pssh -H {{ x }} -l root uptime",
        "autossh -M {{ x }} db1 uptime",  # -M takes the monitor port
        "docker run --rm alpine echo {{ x }}",  # no shell: an argument of echo
        "docker run --rm --entrypoint /usr/bin/env alpine {{ x }}",
        'sg adm \'printf "%s" "$1"\' sh {{ x }}',  # sg's extra words are $0, $1... of its sh -c
        "V={{ x }} make -f Makefile <<EOF\n{{ x }}\nEOF",  # the makefile comes from a file: stdin is data (a V= operand
        # is make's own variable, pasted into recipes: see test_shell_program_options.py)
        'v={{ x }}; eval \'printf "%s" "$v"\'',  # eval reads $v as data
        'v={{ x }}; sh -c \'printf "%s" "$1"\' sh "$v"',
        "salt '*' test.ping {{ x }}",
        "ansible {{ x }} -m ping",
    ],
)
def test_a_value_that_is_data_to_them_passes(template: str) -> None:
    assert static_problems(template) == []
    render_command(template, {"x": HOSTILE})


@pytest.mark.parametrize(
    "template",
    [
        'ansible all -a "echo {{ x }}"',
        'ansible all -m shell -a "systemctl restart {{ x }}"',
        'ansible all -m shell --args="echo {{ x }}"',
        "ansible all -m ping -e v={{ x }}",  # extra vars are templated where they are used
        'salt "*" cmd.run "systemctl restart {{ x }}"',
        "salt-call cmd.shell {{ x }}",
        'make -f /dev/null --eval="all:;@echo {{ x }}"',
    ],
)
def test_a_value_in_what_ansible_salt_or_make_runs_is_a_plain_word_or_refused(template: str) -> None:
    """ansible's `-a` (run by a shell with `-m shell`, templated as Jinja always) and salt's `cmd.run` argument
    (run by a shell on each minion) are code to them: a plain word (a unit, a version) passes, as for `rsync -e`."""
    assert static_problems(template) == []
    render_command(template, {"x": "nginx-1.2_3"})
    for hostile in (HOSTILE, "{{ lookup('pipe', 'touch pwned') }}", "x;id"):
        with pytest.raises(TemplateError, match="code to"):
            render_command(template, {"x": hostile})


def test_a_shq_value_in_a_fleets_command_is_one_word_for_the_remote_shell() -> None:
    """pdsh, clush and pssh join their command's words for each host's shell, as ssh does: `| shq` quotes for it
    (with the real tools and a stand-in ssh running its command with `sh -c`, each printed the value exactly)."""
    for template in (
        'pdsh -w db1 "rm -- {{ x | shq }}"',
        'pdsh -N -S -R ssh -w db1 "rm -- {{ x | shq }}"',  # -N and -S take no argument: the command is still one level
        "clush -N -p -w db1 rm -- {{ x | shq }}",
        'parallel-ssh -i -H db1 -t 5 "rm -- {{ x | shq }}"',
        'autossh -M 0 db1 "rm -- {{ x | shq }}"',
    ):
        assert static_problems(template) == []
        command = render_command(template, {"x": HOSTILE})
        assert dict(command.env)["RBT_V1"] == "'a b; touch pwned $(touch pwned)'"
