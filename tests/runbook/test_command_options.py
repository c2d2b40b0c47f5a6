"""A value in the argument of an option that runs a command is code to that program: a plain word, or refused.

`ssh -o ProxyCommand={{ x }} db1 true` (scp, sftp too), `rsync -e "ssh -p {{ x }}"`, `tar --to-command={{ x }}`,
`git -c core.fsmonitor={{ x }} status`, `sort --compress-program={{ x }}`, `find . -exec {{ x }} {} +`,
`env -S {{ x }}` (env splits it into a command line): the
value reached the shell as one literal word, and the program ran it (x = `touch F` made F). Now a value there
must be a plain word (a port, a version); anything else is refused before it runs.
"""

from __future__ import annotations

import subprocess

import pytest
from helpers_runbook import refused_unless_plain

from runbook_tui.runbook.templating import TemplateError, render_command

RUNS_IT = [
    "ssh -o BatchMode=yes -o ProxyCommand={{ x }} db1 true",
    'ssh -o "ProxyCommand {{ x }}" db1 true',
    "scp -oProxyCommand={{ x }} a db1:b",
    "ssh -o {{ x }} db1 true",
    'rsync -e "ssh -p {{ x }}" a db1:b',
    "rsync --rsh={{ x }} a db1:b",
    "tar --to-command={{ x }} -xf a.tar",
    "git -c core.fsmonitor={{ x }} status",
    "git -c {{ x }} status",
    "sort --compress-program={{ x }} big.txt",
    "find . -name '*.tmp' -exec {{ x }} {} +",
    "env -S {{ x }}",
    'env -S "{{ x }}" true',
    "env --split-string={{ x }}",
    # a remote shell parses these (they passed validate, and `a; touch F` would run touch on the VM)
    'gcloud compute ssh vm1 --zone z --command="sudo systemctl restart {{ x }}"',
    'gcloud compute ssh vm1 --command "systemctl restart {{ x }}"',
    'vagrant ssh -c "systemctl restart {{ x }}"',
    'vagrant ssh default --command="systemctl restart {{ x }}"',
    # mosh splits --ssh into words (Perl's shellwords) and runs them: `-p 22 '-oProxyCommand=CMD x'` ran CMD
    'mosh --ssh="ssh -p {{ x }}" db1',
    'mosh --ssh "ssh {{ x }}" db1 -- uptime',
    # a shell runs these (they passed validate): nix-shell's --run and --command, Azure's run-command scripts, and a
    # git setting that runs a command, written with `git config` for later gits (checked: core.fsmonitor ran on status)
    'nix-shell -p hello --run "hello {{ x }}"',
    "nix-shell --command {{ x }}",
    'az vm run-command invoke -g g -n vm --command-id RunShellScript --scripts "systemctl restart {{ x }}"',
    'git config alias.x "!echo {{ x }}"',
    "git -C repo config --global core.sshCommand {{ x }}",
    "git config core.fsmonitor {{ x }}; git status",
    # the instances run these through a shell (AWS-RunShellScript, AWS-StartInteractiveCommand, ECS Exec)
    'aws ssm send-command --document-name AWS-RunShellScript --targets Key=tag:role,Values=web --parameters commands="systemctl restart {{ x }}"',
    'aws --region eu-west-1 ssm send-command --instance-ids i-1 --parameters "commands=[\\"echo {{ x }}\\"]"',
    'aws --debug ssm send-command --instance-ids i-1 --parameters="commands=echo {{ x }}"',
    'aws ssm send-command --instance-ids i-1 --cli-input-json "{\\"Parameters\\": {\\"commands\\": [\\"echo {{ x }}\\"]}}"',
    'aws ssm start-session --target i-1 --document-name AWS-StartInteractiveCommand --parameters command="tail -f {{ x }}"',
    'aws ecs execute-command --cluster c --task t --interactive --command "cat {{ x }}"',
    # ansible templates extra vars ({{ lookup('pipe', CMD) }}), wget runs wgetrc commands, helm runs its post-renderer,
    # git runs these through a shell (before: all passed validate with any value)
    'ansible-playbook -e "version={{ x }}" site.yml',
    'ansible-playbook site.yml --extra-vars="version={{ x }}"',
    'wget -e "{{ x }}" https://example.com/',
    "helm upgrade web ./chart --post-renderer {{ x }}",
    'git difftool -x "{{ x }}" main',
    'git rebase -x "make {{ x }}" main',
    'git filter-branch --tree-filter "rm -f {{ x }}" HEAD',
    'git submodule foreach --recursive "git checkout {{ x }}"',
    # shells whose quoting is not sh's, so `| shq` cannot quote for them, and bun's code
    'fish -c "echo {{ x }}"',
    'fish -lc "echo {{ x }}"',
    'csh -fc "echo {{ x }}"',
    'tcsh -c "echo {{ x }}"',
    "bun -e \"console.log('{{ x }}')\"",
    # Erlang and Elixir code (os:cmd/1, System.cmd/2 run commands): a RabbitMQ node evaluates `rabbitmqctl eval`
    'rabbitmqctl eval "rabbit_amqqueue:info_all(<<\\"{{ x }}\\">>)."',
    'rabbitmqctl -n rabbit@mq1 eval "io:format(\\"~s~n\\", [\\"{{ x }}\\"])."',
    'erl -noshell -eval "io:format(\\"{{ x }}\\"), halt()."',
    'elixir -e "IO.puts(\\"{{ x }}\\")"',
    # the value picks the program, script or library these run (checked: scp -S and -D, cmake -P and -C, openssl -engine
    # and -provider, git bisect run ran what they named; tcpdump -z per its manual, nmap runs NSE scripts (Lua, which
    # runs commands), apt runs the Pre-Invoke commands with sh -c)
    "tcpdump -i eth0 -w a.pcap -G 60 -z {{ x }}",
    "tcpdump -i eth0 -w a.pcap -G 60 -z{{ x }}",
    "tcpdump -ni eth0 -w a.pcap -G 60 -Uz {{ x }}",
    "nmap --script {{ x }} db1",
    "nmap --script={{ x }} db1",
    "openssl s_client -engine {{ x }} -connect db1:443",
    "cmake -P {{ x }}",
    "cmake -C {{ x }} -S . -B build",
    "openssl dgst -provider {{ x }} a.txt",
    "openssl dgst -provider-path {{ x }} -provider legacy a.txt",
    "scp -S {{ x }} a db1:b",
    "scp -rS{{ x }} a db1:b",
    "sftp -D {{ x }} db1",
    "apt-get -o APT::Update::Pre-Invoke::={{ x }} update",
    'apt-get install -y -o "Dpkg::Pre-Invoke::={{ x }}" nginx',
    "apt -oDPkg::Post-Invoke::={{ x }} upgrade",
    "apt-get -o {{ x }} update",
    # apt reads `--option=KEY=VALUE` as `-o KEY=VALUE` (apt-config --option=APT::Update::Pre-Invoke::=CMD dump showed it)
    "apt-get --option=APT::Update::Pre-Invoke::={{ x }} update",
    'apt install -y "--option=DPkg::Post-Invoke::={{ x }}" nginx',
    "apt-get --option={{ x }} update",
    "apt-get -o{{ x }} update",
    "git bisect run {{ x }}",
    "git bisect run {{ x }} --quick",
]


@pytest.mark.parametrize("template", RUNS_IT)
def test_a_value_an_option_runs_is_a_plain_word_or_refused(template: str) -> None:
    refused_unless_plain(template, ["touch /tmp/rbt-pwned", "$(id)"], "2222", "which can run commands: only a plain word")


def test_a_value_in_an_option_that_runs_nothing_is_any_word() -> None:
    for template in (
        "ssh -o Port={{ x }} db1 true",
        "git -c user.name={{ x }} commit",
        "git config user.name {{ x }}",
        "tar -xf {{ x }}",
        "find . -name {{ x }}",
        "aws ssm send-command --document-name AWS-RunShellScript --instance-ids {{ x }} --parameters commands=uptime",
        "aws cloudformation create-stack --stack-name s --parameters ParameterKey=K,ParameterValue={{ x }}",
        "git checkout {{ x }}",
        "ansible-playbook -i {{ x }} site.yml",
        "rabbitmqctl delete_queue {{ x }}",
        "git clean -f -x {{ x }}",  # -x here is a flag, and git ls-files -x takes a pattern: neither runs a command
        "git ls-files -x {{ x }}",
        "apt-get -o Acquire::Retries={{ x }} update",
        "git bisect run ./check.sh {{ x }}",
        "openssl s_client -connect {{ x }}",
    ):
        assert [value for _, value in render_command(template, {"x": "Jane Doe; $(id)"}).env] == ["Jane Doe; $(id)"], template


@pytest.mark.parametrize(
    "template",
    ['rsync -e "ssh {{ x }}" a db1:b', 'mosh --ssh="ssh {{ x }}" db1', "git -c core.pager={{ x }} log", "apt-get install -y {{ x }}"],
)
def test_a_plain_word_starting_with_a_dash_is_refused_where_it_would_be_an_option(template: str) -> None:
    """A plain word can still be an option of the command the option runs: with x = `-oProxyCommand=CMD`, `rsync -e
    "ssh {{ x }}"` and `mosh --ssh="ssh {{ x }}"` ran CMD (checked with the real rsync and mosh). Such a value is refused."""
    render_command(template, {"x": "2222"})
    with pytest.raises(TemplateError, match="starting with '-'"):
        render_command(template, {"x": "-oProxyCommand=pwnme"})


def test_a_comma_in_an_ssm_command_would_add_a_command() -> None:
    """In the AWS CLI's shorthand `commands=systemctl restart nginx,reboot` is two commands: a comma, which a plain word
    may hold elsewhere, is refused there too."""
    template = 'aws ssm send-command --instance-ids i-1 --parameters commands="systemctl restart {{ x }}"'
    with pytest.raises(TemplateError, match=r"only a plain word \(letters, digits, \. _ : \+ = -\) passes, not 'nginx,reboot'"):
        render_command(template, {"x": "nginx,reboot"})
    assert [value for _, value in render_command(template, {"x": "nginx.service"}).env] == ["nginx.service"]


BEHIND_FIND_OR_A_VERSIONED_NAME = [
    "find . -name '*.log' -exec python3 -c \"print('{{ x }}')\" {} \\;",
    'find /etc/nginx -exec sed -i "s/a/{{ x }}/" {} +',
    "/usr/bin/python3.11 -c \"print('{{ x }}')\"",
    "pypy3 -c \"print('{{ x }}')\"",
    "perl5.36.0 -e \"print '{{ x }}'\"",
    "chpst -u app python3 -c \"print('{{ x }}')\"",
]


@pytest.mark.parametrize("template", BEHIND_FIND_OR_A_VERSIONED_NAME)
def test_interpreter_code_behind_find_exec_or_under_a_versioned_name_is_a_plain_word_or_refused(template: str) -> None:
    """Before, `find -exec` hid the interpreter it runs, `python3.11` and `perl5.36.0` were not known by those names, and
    `chpst -u app` was read as the command `app`: each took any value as code."""
    refused_unless_plain(template, ["'); import os; os.system('touch F'); print('", "$(id)"], "v1.2", "which can run commands: only a plain word")


def test_data_beside_them_is_any_word() -> None:
    for template in ('find . -name "{{ x }}" -exec rm {} +', "python3.11 app.py {{ x }}"):
        assert [v for _, v in render_command(template, {"x": "a b; $(id)"}).env] == ["a b; $(id)"], template


def test_apt_reads_option_equals_as_o() -> None:
    """What the `--option=` spelling did: apt took the setting as `-o` does (so apt-get update would run it)."""
    dump = subprocess.run(["apt-config", "--option=APT::Update::Pre-Invoke::=touch pwned", "dump"], capture_output=True, text=True, timeout=30, check=True)
    assert 'APT::Update::Pre-Invoke:: "touch pwned";' in dump.stdout
