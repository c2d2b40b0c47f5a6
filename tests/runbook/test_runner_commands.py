"""A value as the command another program runs: `kubectl exec POD -- {{ x }}`, `docker exec C {{ x }}`, `flock F {{ x }}`.

The first word after such a runner's own options and operands is the name of the command it runs (in the pod, in the
container, under the lock), as the first word of a shell command is: a value there picks the program, which the
loader refuses at a command's start and behind `sudo`, `env`, `timeout`... These runners were not known, so `docker
exec c {{ x }}` and `flock L {{ x }}` validated and ran whatever program the value named (`/tmp/upload/evil`), and the
rules on what follows a command name (`python3 -c CODE`, `sed` scripts) did not look behind them. `capsh -- -c
"{{ x }}"` is `bash -c`, and a `| shq` value standing as the whole command of the inner shell (`eval {{ x | shq }}`,
`ssh host {{ x | shq }}`) named its program there too. Now each is refused at its position; values that are data
to the runner or the command (a container, an argument) still pass.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_runbook import cli_main
from shell_holes import RUNBOOK

from runbook_tui.runbook.templating import TemplateError, render_command

AS_COMMAND = [
    "kubectl exec pod -- {{ x }}",
    "kubectl -n prod exec -it deploy/api -c app -- {{ x }} --help",
    "oc exec pod -- {{ x }}",
    "kubectl exec pod {{ x }}",
    "docker exec c {{ x }}",
    "docker exec -i -u root -w /srv c {{ x }} arg",
    "podman exec --env A=1 c {{ x }}",
    "docker run --rm -v /a:/b --name n img {{ x }}",
    "docker compose exec -T web {{ x }}",
    "docker-compose run --rm web {{ x }}",
    "crictl exec -i c {{ x }}",
    "lxc exec c -- {{ x }}",
    "flock /tmp/l {{ x }}",
    "flock -w 5 /tmp/l {{ x }}",
    "runuser -u postgres -- {{ x }}",
    "strace -f -o /tmp/t {{ x }}",
    "nsenter -t 1 -m -u {{ x }}",
    "setpriv --reuid 1000 --nnp {{ x }}",
    "unshare -m {{ x }}",
    "systemd-run --scope -p CPUQuota=10% {{ x }}",
    "valgrind --leak-check=full {{ x }}",
    "busybox {{ x }}",
    "ip netns exec ns1 {{ x }}",
    "sudo -u app docker exec c {{ x }}",
    "watch -x {{ x }}",
    "watch -n 5 --exec {{ x }} arg",
    "time -p {{ x }}",
    "/usr/bin/time -f %e {{ x }}",
    "/usr/bin/time -o /tmp/t -v {{ x }}",
    # a `| shq` value standing as the whole command of the shell that parses it again
    "eval {{ x | shq }}",
    "sh -c {{ x | shq }}",
    "ssh db1 {{ x | shq }}",
    "ssh db1 sudo {{ x | shq }}",
]


@pytest.mark.parametrize("template", AS_COMMAND)
def test_a_value_as_the_command_a_runner_runs_is_refused_at_its_position(
    template: str, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_runbook(RUNBOOK.format(run=template))
    assert cli_main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:11:{11 + template.index('{{ x')}: this value is the command's name, so it picks the program" in err, err
    with pytest.raises(TemplateError, match="picks the program"):
        render_command(template, {"x": "psql"})


CODE_BEHIND = [
    "kubectl exec pod -- python3 -c \"print('{{ x }}')\"",
    'docker exec c sed -i "s/a/{{ x }}/" /etc/app.conf',
    'flock /tmp/l awk "BEGIN { print \\"{{ x }}\\" }"',
]


@pytest.mark.parametrize("template", CODE_BEHIND)
def test_an_interpreters_code_behind_a_runner_is_a_plain_word_or_refused(template: str) -> None:
    render_command(template, {"x": "v1.2"})
    with pytest.raises(TemplateError, match="code to"):
        render_command(template, {"x": "');import os;os.system('touch F');('"})


def test_capsh_dashdash_is_bash(tmp_path: Path, write_runbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    """`capsh -- ARGS` runs /bin/bash ARGS: `-c SCRIPT` there is a script bash parses."""
    template = 'capsh -- -c "{{ x }}"'
    path = write_runbook(RUNBOOK.format(run=template))
    assert cli_main(["validate", str(path)]) == 2
    assert f"{path}:11:{11 + template.index('{{')}: 'capsh -- -c' parses this value again as shell code" in capsys.readouterr().err
    made = tmp_path / "made"
    if shutil.which("capsh"):  # the hole, with the value passed as the loader passes any other
        subprocess.run(["sh", "-c", 'capsh -- -c "$V"'], env={**os.environ, "V": f"touch {made}"}, check=True, timeout=10)
        assert made.exists()


def _evil(tmp_path: Path) -> tuple[Path, Path]:
    made = tmp_path / "made"
    evil = tmp_path / "evil"
    evil.write_text(f"#!/bin/sh\ntouch {made}\n")
    evil.chmod(0o755)
    return evil, made


def test_the_holes_were_real(tmp_path: Path) -> None:
    """flock and eval ran the program the value named; the commands as the loader renders them."""
    evil, made = _evil(tmp_path)
    for text, value in ((f'flock {tmp_path}/lock "$V"', str(evil)), ('eval "$V"', shlex.quote(str(evil)))):
        subprocess.run(["sh", "-c", text], env={**os.environ, "V": value}, check=True, timeout=10)
        assert made.exists(), text
        made.unlink()


def test_exec_refuses_and_runs_nothing(tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    evil, made = _evil(tmp_path)
    path = write_runbook(RUNBOOK.format(run=f"flock {tmp_path}/lock {{{{ x }}}}"))
    assert cli_main(["exec", str(path), "-p", f"x={evil}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 2
    assert not made.exists()


DATA = [
    "kubectl exec pod -- ls -l {{ x }}",
    "kubectl exec {{ x }} -- ls",
    "kubectl exec -n {{ x }} pod -- ls",
    "docker exec {{ x }} ls",
    "docker exec -u {{ x }} c ls",
    "docker run --rm -e A={{ x }} img true",
    "docker run --rm --name {{ x }} img true",
    "docker run --rm {{ x }}",  # the image
    "flock {{ x }} true",
    "flock -w {{ x }} /tmp/l true",
    "runuser -u {{ x }} -- id",
    "strace -o /var/tmp/{{ x }}.trace true",  # (a value starting -o's file is refused: `|CMD` runs CMD, session 36)
    "ip netns exec {{ x }} ip a",
    "watch -x ls {{ x }}",
    "/usr/bin/time -f {{ x }} true",
    "time -p ls {{ x }}",
    "ssh db1 ls {{ x | shq }}",
    "eval ls {{ x | shq }}",
]


@pytest.mark.parametrize("template", DATA)
def test_a_value_the_runner_or_its_command_takes_as_data_passes(template: str) -> None:
    value = "a b; $(touch F)"
    command = render_command(template, {"x": value})
    assert len(command.env) == 1


def test_flock_and_setpriv_pass_a_value_to_their_command_as_data(tmp_path: Path, write_runbook: Callable[..., Path]) -> None:
    made = tmp_path / "made"
    value = f"touch {made}; $(touch {made})"
    out = tmp_path / "out"
    run = f"flock {tmp_path}/lock printf '%s' \"{{{{ x }}}}\" > {out}"
    if shutil.which("setpriv"):
        run += f"; setpriv --nnp printf '%s' \"{{{{ x }}}}\" >> {out}"
    path = write_runbook(RUNBOOK.format(run=run))
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 0
    assert out.read_text() == value * (2 if shutil.which("setpriv") else 1)
    assert not made.exists()
