"""A value in an interpreter's option that is code, or that names the program it runs, though no `-e`/`-c` is there.

Each attack was run for real first, under dash and bash, with the value passed as the program passes it (out of band,
one literal word to the shell): the interpreter then read it as its own code and made the marker file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers_runbook import cli_main, errors

from runbook_tui.runbook.shell_values import static_problems
from runbook_tui.runbook.templating import TemplateError, render_command

SHELLS = ("dash", "bash")


def run(template: str, value: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`template` rendered with x = `value` and run by each shell in `cwd`; the last result."""
    command = render_command(template, {"x": value})
    result: subprocess.CompletedProcess[str] | None = None
    for shell in SHELLS:
        path = shutil.which(shell)
        assert path, f"{shell} is not installed (scripts/test installs dash)"
        result = subprocess.run(
            [path, "-c", command.text],
            env={"PATH": os.environ["PATH"], "HOME": str(cwd), **dict(command.env)},
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert result.returncode == 0, (shell, template, result.stderr)
    assert result is not None
    return result


PERL_MODULE_CODE = [
    "perl -M{{ x }} -e 'print 1'",
    "perl -M\"{{ x }}\" -e 'print 1'",
    "perl -wM{{ x }} -e 'print 1'",  # a bundle ending in -M
    "perl -l0M{{ x }} -e 'print 1'",
    "perl -CSD -M{{ x }} -e 'print 1'",
    "perl -e 'print 1' -M{{ x }}",  # options after the code option are still perl's
    "perl -M-{{ x }} -e 'print 1'",  # `no MOD;`
    "perl -m{{ x }} -e 'print 1'",
    "perl -d:{{ x }} -e 'print 1'",  # `use Devel::MOD`
]


@pytest.mark.parametrize("template", PERL_MODULE_CODE)
def test_a_value_in_perls_module_option_is_a_plain_word_or_refused(template: str, tmp_path: Path) -> None:
    """perl turns `-MMOD` into `use MOD;`, so `-M{{ x }}` with x = `strict;system("touch F")` ran system (F made, under
    dash and bash): only `-e`/`-E` were known as perl's code. The value there is now code to perl: a plain word passes
    (`-M{{ x }}` with `strict`), anything else is refused before it runs."""
    if "-d:" not in template:
        assert run(template, "strict", tmp_path).stdout.rstrip("\0\n") == "1"
    for hostile in ('strict;system("touch pwned")', "strict;system q(touch pwned)", 'Foo=a}),system("touch pwned"),q({'):
        with pytest.raises(TemplateError, match="code to perl"):
            render_command(template, {"x": hostile})
    assert list(tmp_path.iterdir()) == []


def test_perls_other_attached_options_and_the_scripts_arguments_stay_data(tmp_path: Path) -> None:
    """`-I DIR`, `-i.EXT`, and words after the script or `--` are no perl code: any value passes, and runs nothing."""
    hostile = 'a;system("touch pwned")'
    for template in (
        "perl -I{{ x }} -e 'print 1'",
        "perl -I {{ x }} -e 'print 1'",
        "perl -e 'print 1' -- -M{{ x }}",
        "perl -le 'print for @ARGV' -- -M{{ x }}",
    ):
        run(template, hostile, tmp_path)
    assert list(tmp_path.iterdir()) == []


BUNDLED_COMMAND_OPTIONS = [
    'tar -cf a.tar -I"{{ x }}" .',  # --use-compress-program, attached
    "tar -cf a.tar -I{{ x }} .",
    'tar -cI"{{ x }}" -f a.tar .',  # a bundle ending in it, attached
    'tar -czf a.tar -F"{{ x }}" .',  # --info-script
    'rsync -ae "{{ x }}" src/ db1:dst/',  # a bundle ending in -e: the next word is the remote shell
    'rsync -avze "{{ x }}" src/ db1:dst/',
    'rsync -e"{{ x }}" src/ db1:dst/',
]


@pytest.mark.parametrize("template", BUNDLED_COMMAND_OPTIONS)
def test_a_value_in_a_bundled_or_attached_option_that_runs_a_command_is_a_plain_word_or_refused(template: str, tmp_path: Path) -> None:
    """tar runs `-I`'s and `-F`'s argument with `sh -c`, rsync splits `-e`'s into a command line: only `-I CMD` and
    `-e CMD` as words of their own were known, so `tar -cf a.tar -I"{{ x }}" .` with x = `touch F` and `rsync -ae
    "{{ x }}"` with x = `sh -c "touch F" #` made F (dash and bash). Attached or ending a bundle, the argument is now a
    command too: a plain word or refused."""
    for hostile in ("touch pwned", 'sh -c "touch pwned" #', "a; touch pwned"):
        with pytest.raises(TemplateError, match="which can run commands: only a plain word"):
            render_command(template, {"x": hostile})
    assert [v for _, v in render_command(template, {"x": "gzip"}).env] == ["gzip"]
    if template.startswith("tar -cf"):  # the plain word runs: the archive is made with gzip, nothing else
        work = tmp_path / "work"
        work.mkdir()
        (work / "f").write_text("data")
        run(template.replace("-cf a.tar", "-cf ../a.tar"), "gzip", work)
        assert list(work.iterdir()) == [work / "f"] and (tmp_path / "a.tar").read_bytes()[:2] == b"\x1f\x8b"


def test_bundles_whose_option_takes_data_stay_data(tmp_path: Path) -> None:
    """`tar -czf {{ x }}`, `tar -C {{ x }}`, `rsync -aT {{ x }}`, `rsync -af "- {{ x }}"`: a file, a folder, a filter rule."""
    for template in ("tar -czf {{ x }} .", "tar -C {{ x }} -cf a.tar .", "rsync -aT {{ x }} a b/", 'rsync -af"- {{ x }}" a b/', "rsync -avz {{ x }} b/"):
        assert [v for _, v in render_command(template, {"x": "a b; $(touch pwned)"}).env] == ["a b; $(touch pwned)"], template


def runbook_running(template: str) -> str:
    """A runbook whose one step runs `template` (one line), at line 10, column 14."""
    return (
        "runbook: 1\nid: demo\ntitle: Demo\nparams:\n  x: {type: string, default: json}\nsections:\n  - id: main\n    steps:\n"
        f"      - id: one\n        run: {template}\n"
    )


PYTHON_MODULE = [
    "python3 -m {{ x }}",
    'python3 -m"{{ x }}"',
    "python3 -u -m {{ x }} --help",
    "python3 -X importtime -W ignore -m {{ x }}",
    "python3 -Im {{ x }}",
    "PYTHONPATH=. python3 -m {{ x }}",
    "/usr/bin/python3.11 -m {{ x }}",
    "sudo -n python3 -m {{ x }}",
]


@pytest.mark.parametrize("template", PYTHON_MODULE)
def test_a_value_naming_the_module_python_runs_is_refused_at_its_position(template: str, write_runbook, tmp_path: Path) -> None:
    """`python3 -m {{ x }}` runs whatever module the value names: with x = `pwnmod` and a `pwnmod.py` in the folder the
    step runs in (an upload, a checkout), its code ran (the marker made, dash and bash). Like a value that is a command's
    whole name, it picks the program, so `validate` refuses it at the value's FILE:LINE:COL."""
    [error] = errors(write_runbook(runbook_running(template)))
    assert (error.mark.line, error.mark.col) == (10, 14 + template.index("{{")), str(error)
    assert "the module python" in error.message and "picks the program" in error.message, error.message


def test_a_value_beside_pythons_module_or_inside_its_package_stays_data(tmp_path: Path) -> None:
    """The module's arguments, a module inside a package the runbook names, `-W`'s argument, and `-m` after `-c` or a
    script (arguments of the program) are data."""
    (tmp_path / "pwnmod.py").write_text("open('pwned', 'w')")
    assert run("python3 -c 'import sys; print(sys.argv[1:])' -m {{ x }}", "pwnmod", tmp_path).stdout == "['-m', 'pwnmod']\n"
    for template in ("python3 -m json.tool {{ x }}", "python3 -m mytools.{{ x }}", "python3 -W {{ x }} -m json.tool", "python3 prog.py -m {{ x }}"):
        assert [v for _, v in render_command(template, {"x": "pwnmod"}).env] == ["pwnmod"], template
    assert not (tmp_path / "pwned").exists()


OPTION_VARIABLES = [
    ("PERL5OPT=-M{{ x }} perl -e 1", "strict;system(q(touch),q(pwned))", "strict"),
    ('PERL5OPT="{{ x }}" perl -e 1', "-Mstrict;system(q(touch),q(pwned))", "-Mstrict"),
    ('env PERL5OPT="{{ x }}" perl -e 1', "-Mstrict;system(q(touch),q(pwned))", "-Mstrict"),
    ('export PERL5OPT="{{ x }}"; perl -e 1', "-Mstrict;system(q(touch),q(pwned))", "-Mstrict"),
    ('o="{{ x }}"; PERL5OPT="$o" perl -e 1', "-Mstrict;system(q(touch),q(pwned))", "-Mstrict"),
    ('NODE_OPTIONS="{{ x }}" node -e 1', "--import=data:text/javascript,import('fs').then(f=>f.writeFileSync('pwned',''))", "--max-old-space-size=100"),
    ('NODE_OPTIONS="{{ x }}" node -e 1', "--require ./m.js", "--no-warnings"),
]


@pytest.mark.parametrize(("template", "hostile", "plain"), OPTION_VARIABLES)
def test_a_value_in_an_interpreters_option_variable_is_a_plain_word_or_refused(template: str, hostile: str, plain: str, tmp_path: Path) -> None:
    """perl reads `$PERL5OPT` and node `$NODE_OPTIONS` as options of their own: `PERL5OPT="{{ x }}" perl -e 1` with x =
    `-Mstrict;system(q(touch),q(F))` ran system, `NODE_OPTIONS` with `--import=data:text/javascript,...` ran that code
    (F made under dash and bash). A value there is now code to them: a plain word passes, anything else is refused."""
    (tmp_path / "m.js").write_text("require('fs').writeFileSync('pwned', '')")
    run(template, plain, tmp_path)
    with pytest.raises(TemplateError, match=r"code to (perl|node)"):
        render_command(template, {"x": hostile})
    assert not (tmp_path / "pwned").exists()


def test_a_steps_env_option_variable_is_a_plain_word_before_the_step_runs(write_runbook, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same through a step's `env: {PERL5OPT: ...}`: exec stops before the command starts."""
    made = tmp_path / "made"
    path = write_runbook(runbook_running("perl -e 1").replace("run: perl -e 1", 'run: perl -e 1\n        env: {PERL5OPT: "-M{{ x }}"}'))
    value = f"strict;system(q(touch),q({made}))"
    assert cli_main(["exec", str(path), "-p", f"x={value}", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 1
    assert "env PERL5OPT: perl reads $PERL5OPT as options of its own, which load and run code" in capsys.readouterr().out
    assert not made.exists()
    assert cli_main(["exec", str(path), "-p", "x=strict", "--solo", "t", "--journal", str(tmp_path / "j2.jsonl")]) == 0


LEGACY_COPIES = [
    'scp -O db1:"/tmp/{{ x }}" .',
    "scp -O db1:/tmp/{{ x }} .",
    'scp -rO db1:"{{ x }}" .',
    'scp -O -P 22 f db1:"/tmp/{{ x }}"',  # a target path: `scp -t PATH` on the host
    'scp -O "[::1]:/tmp/{{ x }}" .',
    'rsync -a --old-args db1:"{{ x }}" .',
]


@pytest.mark.parametrize("template", LEGACY_COPIES)
def test_a_value_in_a_remote_path_the_hosts_shell_parses_needs_shq(template: str, write_runbook) -> None:
    """`scp -O` (the legacy protocol) runs `scp -f PATH` through the host's shell, `rsync --old-args` too: with x = `a;
    touch F`, `scp -O db1:"/tmp/{{ x }}" .` ran touch on the host (the real sshd, below). `validate` refuses it at the
    value with the `| shq` fix, which quotes the value for that shell."""
    [error] = errors(write_runbook(runbook_running(template)))
    assert (error.mark.line, error.mark.col) == (10, 14 + template.index("{{")), str(error)
    assert "again as shell code" in error.message and "{{ x | shq }}" in error.message, error.message


def test_a_colon_in_a_value_that_could_name_the_host_is_refused() -> None:
    """`scp -O "{{ x }}" db1:/tmp/` with x = `db1:$(touch F)` would make the local operand a remote one, whose path the
    host's shell parses: a `:` there is refused; a path (spaces and all) passes, and without -O the value is data."""
    for template in ('scp -O "{{ x }}" db1:/tmp/', "scp -O {{ x }}:/tmp/a .", "rsync -a --old-args {{ x }} db1:/tmp/"):
        with pytest.raises(TemplateError, match="would make"):
            render_command(template, {"x": "db1:$(touch pwned)"})
        assert [v for _, v in render_command(template, {"x": "/var/backups/a b.tar"}).env] == ["/var/backups/a b.tar"]
    for template in ('scp db1:"/tmp/{{ x }}" .', 'scp "{{ x }}" db1:/tmp/', "scp -O ./{{ x }} db1:/tmp/", 'rsync -a db1:"{{ x }}" .'):
        assert [v for _, v in render_command(template, {"x": "db1:a; $(touch pwned)"}).env] == ["db1:a; $(touch pwned)"], template


@pytest.mark.peers
def test_scp_legacy_over_a_real_sshd(sshd, tmp_path: Path) -> None:
    """Over the suite's sshd: the value as written ran on the host; with `| shq` the file with that name is copied both
    ways and nothing runs (the suite's sshd has no SFTP subsystem, so scp without -O is not run here)."""
    remote = tmp_path / "remote"
    remote.mkdir()
    name = "a; touch pwned; b"
    (remote / name).write_text("payload")
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host db1\n  HostName {sshd.address}\n  Port {sshd.port}\n  User {sshd.user}\n  IdentityFile {sshd.client_key}\n"
        f"  UserKnownHostsFile {sshd.known_hosts}\n  StrictHostKeyChecking yes\n  BatchMode yes\n"
    )
    local = tmp_path / "local"
    local.mkdir()
    run(f'scp -O -T -F {config} db1:"{remote}/{{{{ x | shq }}}}" got', name, local)  # -T: the name the host sends is taken
    assert (local / "got").read_text() == "payload"
    run(f'rsync -a --old-args -e "ssh -F {config}" db1:"{remote}/{{{{ x | shq }}}}" got2', name, local)
    assert (local / "got2").read_text() == "payload"
    (tmp_path / "up").write_text("uploaded")
    run(f'scp -O -F {config} up db1:"{remote}/{{{{ x | shq }}}}.new"', name, tmp_path)  # a target: `scp -t PATH` there
    assert (remote / f"{name}.new").read_text() == "uploaded"
    assert sorted(p.name for p in remote.iterdir()) == [name, f"{name}.new"], "the value ran on the host"
    # what the refused form did, the value passed as it is now but without `| shq`: the host's shell ran its touch
    pwned = tmp_path / "pwned"
    command = f'scp -O -F {config} db1:"{remote}/$RBT_V1" got'
    subprocess.run(["sh", "-c", command], env={**os.environ, "RBT_V1": f"none; touch {pwned}"}, cwd=local, capture_output=True, timeout=30)
    assert pwned.exists()
    pwned.unlink()
    command = f'rsync -a --old-args -e "ssh -F {config}" db1:"{remote}/$RBT_V1" got'
    subprocess.run(["sh", "-c", command], env={**os.environ, "RBT_V1": f"none; touch {pwned}"}, cwd=local, capture_output=True, timeout=30)
    assert pwned.exists()


@pytest.mark.parametrize(
    "template",
    [
        "deno eval \"console.log('{{ x }}')\"",
        "deno eval -p \"'{{ x }}'\"",
        "deno eval --ext=ts --print \"'{{ x }}'\"",
        "deno repl --eval \"console.log('{{ x }}')\"",
    ],
)
def test_a_value_in_denos_eval_is_a_plain_word_or_refused(template: str) -> None:
    """`deno eval CODE` runs TypeScript with every permission: with x = `');Deno.writeTextFileSync('F','');('` the file
    was made (deno 2.9, under dash and bash; deno is not among the suite's programs, so this checks the render)."""
    for hostile in ("');Deno.writeTextFileSync('pwned','');('", "a b"):
        with pytest.raises(TemplateError, match="code to deno"):
            render_command(template, {"x": hostile})
    assert [v for _, v in render_command(template, {"x": "v1.2"}).env] == ["v1.2"]


def test_denos_arguments_and_a_script_named_eval_stay_data() -> None:
    for template in ('deno eval "console.log(Deno.args)" {{ x }}', "deno run app.ts eval {{ x }}", "deno eval --ext ts 'console.log(1)' {{ x }}"):
        assert [v for _, v in render_command(template, {"x": "a b; $(id)"}).env] == ["a b; $(id)"], template


CURL_CONFIG_ON_STDIN = [
    'curl -sS -K - <<EOF\nurl = "file:///etc/{{ x }}"\nEOF',
    'curl --config - <<EOF\nurl = "file:///etc/{{ x }}"\nEOF',
    'curl -sK- <<< "url = file:///etc/{{ x }}"',
    'printf \'url = "%s"\\n\' "{{ x }}" | curl --config=-',
]


@pytest.mark.parametrize("template", CURL_CONFIG_ON_STDIN)
def test_a_value_in_curls_options_on_stdin_is_refused_at_its_position(template: str, write_runbook) -> None:
    """`curl -K -` reads options of its own on stdin, one a line: a value holding a line break adds any of them. With x =
    `hostname"⏎output = "F`, curl wrote /etc/hostname to F (any file could be written: ~/.bashrc, a cron file). Such a
    value is refused at validate, at its FILE:LINE:COL, naming curl and the fix (the value as an argument)."""
    body = template.replace("\n", "\n          ")
    [error] = errors(write_runbook(runbook_running("|\n          " + body)))
    line_of_value = 11 + template[: template.index("{{")].count("\n")
    assert error.mark.line == line_of_value and "code to curl" in error.message and "as an argument" in error.message, str(error)


def test_what_a_value_in_curls_options_did(tmp_path: Path) -> None:
    """The first form as it ran before (the value out of band, one literal word to the shell): curl took the added line
    as an option and wrote the file."""
    heredoc = CURL_CONFIG_ON_STDIN[0].replace("{{ x }}", "${RBT_V1}")
    subprocess.run(["sh", "-c", heredoc], env={**os.environ, "RBT_V1": 'hostname"\noutput = "pwned'}, cwd=tmp_path, capture_output=True, timeout=20)
    assert (tmp_path / "pwned").read_text() == Path("/etc/hostname").read_text()


def test_curls_data_on_stdin_and_a_config_file_stay_data() -> None:
    for template in (
        "curl -K cfg <<EOF\n{{ x }}\nEOF",
        "curl -d @- https://h/ <<EOF\n{{ x }}\nEOF",
        "curl -T - https://h/ <<EOF\n{{ x }}\nEOF",
        'curl -H "X: {{ x }}" https://h/',
    ):
        assert [v for _, v in render_command(template, {"x": 'a"\noutput = "f'}).env] == ['a"\noutput = "f'], template


MAKE_VARIABLES = [
    "make deploy VERSION={{ x }}",
    'make deploy VERSION="{{ x }}"',
    "make -C . VERSION:={{ x }} deploy",
    "gmake -j2 deploy VERSION+={{ x }}",
    "make deploy -- VERSION={{ x }}",
]


@pytest.mark.parametrize("template", MAKE_VARIABLES)
def test_a_value_in_a_make_variable_is_a_plain_word_or_refused(template: str, tmp_path: Path) -> None:
    """make pastes a command-line variable's text into the recipe lines reading `$(VERSION)`, which a shell runs: with
    x = `1.2; touch F` or `$(shell touch F)`, `make deploy VERSION={{ x }}` made F (dash and bash). A plain word (a
    version) passes and runs; anything else is refused, with the fix: the value in the environment, read as "$$VERSION"."""
    if shutil.which(template.split()[0]) is None:
        template = template.replace("gmake", "make", 1)
    (tmp_path / "Makefile").write_text("deploy:\n\t@echo deploying $(VERSION)\n")
    assert "deploying 1.2.3\n" in run(template, "1.2.3", tmp_path).stdout
    assert [v for _, v in render_command(template, {"x": "/usr/local/lib-2.1"}).env] == ["/usr/local/lib-2.1"]  # a path too
    for hostile in ("1.2; touch pwned", "$(shell touch pwned)", "/opt/x y"):
        with pytest.raises(TemplateError, match=r"code to make.*\"\$\$NAME\""):
            render_command(template, {"x": hostile})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Makefile"]


def test_the_fix_a_value_in_makes_environment_read_by_the_recipes_shell_is_data(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("deploy:\n\t@printf '%s' \"$$VERSION\"\n")
    value = "1.2; touch pwned $(shell touch pwned) `touch pwned`"
    assert run('VERSION="{{ x }}" make deploy', value, tmp_path).stdout == value
    assert run("make -f Makefile -C {{ x }} deploy", str(tmp_path), tmp_path).returncode == 0  # a folder, not a variable
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Makefile"]


GIT_COMMAND_SETTINGS = [
    'git -C dst -c remote.origin.uploadpack="{{ x }}" fetch -q',
    'git -c remote.origin.receivepack="{{ x }}" push',
    "git -c core.gitProxy={{ x }} fetch",
    'git -c core.alternateRefsCommand="{{ x }}" fetch',
    'git -c pager.log="{{ x }}" log',
    'git -c mergetool.vimdiff.cmd="{{ x }}" mergetool',
    'git -c difftool.x.cmd="{{ x }}" difftool',
    'git -c imap.tunnel="{{ x }}" imap-send',
    'git -c interactive.diffFilter="{{ x }}" add -p',
    'git -c gpg.ssh.defaultKeyCommand="{{ x }}" commit -S',
    'git -c sendemail.sendmailCmd="{{ x }}" send-email',
    'git config remote.origin.uploadpack "{{ x }}"',
]


@pytest.mark.parametrize("template", GIT_COMMAND_SETTINGS)
def test_a_value_in_a_git_setting_that_runs_a_command_is_a_plain_word_or_refused(template: str, tmp_path: Path) -> None:
    """git runs these settings' values as commands (most through a shell): `git -c remote.origin.uploadpack="{{ x }}"
    fetch` from a local repository with x = `touch F; git-upload-pack` made F (dash). Only `core.fsmonitor`, `*.command`,
    `*.helper`... were known. A plain word (`git-upload-pack`) passes and works; anything else is refused."""
    with pytest.raises(TemplateError, match="which can run commands: only a plain word"):
        render_command(template, {"x": "touch ../pwned; git-upload-pack"})
    if "uploadpack" in template and template.startswith("git -C"):
        subprocess.run(["git", "init", "-q", str(tmp_path / "src")], check=True)
        subprocess.run(
            ["git", "-C", str(tmp_path / "src"), "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "--allow-empty", "-m", "x"], check=True
        )
        subprocess.run(["git", "clone", "-q", str(tmp_path / "src"), str(tmp_path / "dst")], check=True)
        run(template, "git-upload-pack", tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["dst", "src"]


def test_git_settings_that_name_no_command_stay_data() -> None:
    for template in ("git -c user.name={{ x }} commit", "git -c pager.log=false -c user.email={{ x }} log", "git config remote.origin.url {{ x }}"):
        assert [v for _, v in render_command(template, {"x": "Jane Doe; $(id)"}).env] == ["Jane Doe; $(id)"], template


def test_a_psql_variable_copy_runs_as_its_program_is_refused_at_validate(write_runbook) -> None:
    """`COPY ... TO PROGRAM :'v'` runs the value as a shell command on the database server: quoting it as a literal
    (`:'v'`, the advice for values in SQL) makes it the command. With x = `touch F` PostgreSQL 15 made F. It picks the
    program, like a command's whole name: refused at the value."""
    for template in ("psql -v v={{ x }} <<'SQL'\ncopy (select 1) to program :'v';\nSQL", 'psql -X -v v="{{ x }}" <<\'SQL\'\nCOPY t FROM PROGRAM :"v";\nSQL'):
        body = template.replace("\n", "\n          ")
        [error] = errors(write_runbook(runbook_running("|\n          " + body)))
        assert (error.mark.line, error.mark.col) == (11, 11 + template.index("{{")), str(error)
        assert "the command COPY ... PROGRAM runs on the database server" in error.message, error.message


def test_a_psql_variable_in_sql_whose_output_gexec_runs_is_a_plain_word_or_refused() -> None:
    """`select format('select %s', :'v') \\gexec` runs the query's output as SQL: with x = `1; copy (select 1) to program
    'touch F'` PostgreSQL 15 made F. Any read of the variable in such SQL is code: a plain word or refused."""
    template = "psql -v v={{ x }} <<'SQL'\nselect format('select %s', :'v') \\gexec\nSQL"
    with pytest.raises(TemplateError, match="code to psql"):
        render_command(template, {"x": "1; copy (select 1) to program 'touch pwned'"})
    assert [v for _, v in render_command(template, {"x": "42"}).env] == ["42"]
    for data in ("psql -v v={{ x }} <<'SQL'\nselect :'v';\nSQL", "psql -v v={{ x }} <<'SQL'\ncopy t to '/tmp/out'; select :'v';\nSQL"):
        assert [v for _, v in render_command(data, {"x": "1; touch pwned"}).env] == ["1; touch pwned"]


@pytest.mark.parametrize(
    "template",
    [
        "LD_PRELOAD={{ x }} ls",
        "env LD_PRELOAD={{ x }} ls",
        "export LD_PRELOAD={{ x }}; ls",
        "p={{ x }}; LD_PRELOAD=$p /bin/true",
        "LD_AUDIT={{ x }} ls",
        "sudo LD_PRELOAD={{ x }} ls",
    ],
)
def test_a_value_naming_a_preloaded_library_is_refused_at_its_position(template: str, write_runbook) -> None:
    """`LD_PRELOAD={{ x }} ls` with x = an uploaded `evil.so` runs its constructor in ls (checked with a library built
    by gcc: its `system("touch F")` made F). The value picks code that runs, as a command's whole name does: refused."""
    [error] = errors(write_runbook(runbook_running(template)))
    assert (error.mark.line, error.mark.col) == (10, 14 + template.index("{{")), str(error)
    assert "LD_" in error.message and "picks" in error.message, error.message


def test_a_steps_env_naming_a_preloaded_library_is_refused_before_the_step(write_runbook, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_runbook(runbook_running("/bin/true").replace("run: /bin/true", 'run: /bin/true\n        env: {LD_PRELOAD: "{{ x }}"}'))
    assert cli_main(["exec", str(path), "-p", "x=/tmp/upload/evil.so", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")]) == 1
    assert "env LD_PRELOAD: this value is a library every program it starts loads" in capsys.readouterr().out


@pytest.mark.parametrize(
    "template", ["su - {{ x }} <<EOF\necho hi\nEOF", 'su {{ x }} -c "echo hi"', "su -s /bin/sh {{ x }} </dev/null", 'runuser {{ x }} -c "echo hi"']
)
def test_a_user_name_starting_with_a_dash_is_refused_where_su_reads_options(template: str) -> None:
    """su and runuser read a word starting with `-` before their user as an option, and `--command=CMD` runs CMD as that
    user: `su - "{{ x }}" <<EOF` with x = `--command=touch F` made F as root (below). Such a value is refused when
    it renders, with the fix (`--` before the user); a user name passes."""
    with pytest.raises(TemplateError, match=r"would be read by (su|runuser) as an option"):
        render_command(template, {"x": "--command=touch pwned"})
    assert [v for _, v in render_command(template, {"x": "postgres"}).env] == ["postgres"]


def test_what_su_did_with_such_a_user_and_the_fixed_form(tmp_path: Path) -> None:
    pwned = tmp_path / "pwned"
    subprocess.run(["sh", "-c", 'su - "$RBT_V1" </dev/null'], env={**os.environ, "RBT_V1": f"--command=touch {pwned}"}, capture_output=True, timeout=20)
    assert pwned.exists()  # the value ran, as root
    pwned.unlink()
    result = subprocess.run(
        ["sh", "-c", 'su -l -- "$RBT_V1" -c "echo hi"'], env={**os.environ, "RBT_V1": f"--command=touch {pwned}"}, capture_output=True, timeout=20
    )
    assert result.returncode != 0 and not pwned.exists()  # after --: a user name su does not know
    assert run('su -l -- {{ x }} -c "echo hi"', "root", tmp_path).stdout == "hi\n"


SCRIPT_OPERAND_AS_OPTION = [
    ("python3 {{ x }}", "-cimport os;os.system('touch pwned')"),
    ('python3 -u "{{ x }}" arg', "-cimport os;os.system('touch pwned')"),
    ("perl {{ x }}", "-esystem('touch pwned')"),
    ('perl -e "print @ARGV" {{ x }}', "-esystem('touch pwned')"),  # perl reads switches after -e CODE too
    ("node {{ x }}", "--eval=require('fs').writeFileSync('pwned','')"),
    ("gdb -batch {{ x }}", "--eval-command=shell touch pwned"),
    ("bash {{ x }}", "--rcfile=/tmp/upload/evil"),
]


@pytest.mark.parametrize(("template", "hostile"), SCRIPT_OPERAND_AS_OPTION)
def test_a_value_an_interpreter_would_read_as_its_option_is_refused(template: str, hostile: str, tmp_path: Path) -> None:
    """`python3 {{ x }}` (a script's name, say) with x = `-cimport os;os.system('touch F')` ran that code, and so did
    `perl {{ x }}` with `-e…`, `node {{ x }}` with `--eval=…`, `gdb -batch {{ x }}` with `--eval-command=shell …`
    (F made, run by dash): the interpreter read the value as its own option. Such a value is refused when it
    renders, with the fix (`--` before it); a script's name passes."""
    with pytest.raises(TemplateError, match=r"would be read by .* as an option"):
        render_command(template, {"x": hostile})
    assert [v for _, v in render_command(template, {"x": "deploy.py"}).env] == ["deploy.py"]


def test_the_scripts_own_arguments_and_the_fixed_forms_stay_data(tmp_path: Path) -> None:
    """After the script (or python's -c CODE, -m MOD) the words are the program's: a value starting with `-` passes."""
    for template in ("python3 app.py {{ x }}", "python3 -m json.tool {{ x }}", "python3 -uc 'import sys' {{ x }}", "bash deploy.sh {{ x }}", "node app.js {{ x }}",
                     "sh -c 'echo \"$1\"' sh {{ x }}", "perl -e 'print @ARGV' -- {{ x }}", "gdb --args prog {{ x }}", "python3 - {{ x }} <<'EOF'\nEOF"):  # fmt: skip
        assert [v for _, v in render_command(template, {"x": "-v"}).env] == ["-v"], template
    result = run("python3 -c 'import sys; print(sys.argv[1])' {{ x }}", "-cimport os;os.system('touch pwned')", tmp_path)
    assert result.stdout == "-cimport os;os.system('touch pwned')\n" and not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    "template",
    [
        'knife ssh "role:web" "sudo systemctl restart {{ x }}"',
        'knife ssh -x root "role:web" "echo {{ x }}"',
        "dsh -m db1 -- echo {{ x }}",
        'dsh -a -c "echo {{ x }}"',
    ],
)
def test_a_value_in_the_command_knife_ssh_or_dsh_sends_to_its_hosts_needs_shq(template: str, write_runbook) -> None:
    """`knife ssh QUERY CMD` and `dsh -m HOST -- CMD` send CMD over SSH to every host, whose shell parses it again, as
    `ssh HOST CMD` and pdsh do: with x = `nginx; reboot` the hosts would reboot (neither program is in the suite, so
    this checks validate). Refused at the value with the `| shq` fix, which then passes."""
    [error] = errors(write_runbook(runbook_running(template)))
    assert (error.mark.line, error.mark.col) == (10, 14 + template.index("{{")), str(error)
    assert "again as shell code" in error.message and "{{ x | shq }}" in error.message, error.message
    assert static_problems(template.replace("{{ x }}", "{{ x | shq }}")) == []


def test_knifes_query_other_knife_commands_and_dshs_hosts_stay_data() -> None:
    for template in ('knife ssh "name:{{ x }}" uptime', "knife node show {{ x }}", "dsh -m {{ x }} -- uptime"):
        assert [v for _, v in render_command(template, {"x": "a b; $(id)"}).env] == ["a b; $(id)"], template


@pytest.mark.parametrize(
    "template",
    [
        'node --import "{{ x }}" app.mjs',
        "node --import={{ x }} -e 1",
        "node -r {{ x }} app.js",
        "node --require={{ x }} app.js",
        "node --loader {{ x }} app.mjs",
    ],
)
def test_a_value_naming_what_node_preloads_is_a_plain_word_or_refused(template: str, tmp_path: Path) -> None:
    """`node --import "{{ x }}" app.mjs` with x = `data:text/javascript,import('fs').then(f=>f.writeFileSync('F',''))`
    ran that code before the app (node 20; `-r ./m.cjs` ran a file's): the module node preloads is code to it. A
    package's plain name (`dotenv`) passes; anything else is refused; the app's own arguments stay data."""
    with pytest.raises(TemplateError, match="code to node"):
        render_command(template, {"x": "data:text/javascript,import('fs').then(f=>f.writeFileSync('pwned',''))"})
    assert [v for _, v in render_command(template, {"x": "dotenv"}).env] == ["dotenv"]
    assert [v for _, v in render_command("node app.js --import {{ x }}", {"x": "data:text/javascript,1"}).env] == ["data:text/javascript,1"]
