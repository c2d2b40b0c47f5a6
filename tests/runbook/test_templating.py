"""Templating: values reach the shell as literal words, late values render at their step, the sandbox holds.

The promise an SRE relies on: `{{ name }}` with the value `x; rm -rf /`
reaches `sh -c` as one literal word, unless they wrote `| raw`.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from collections.abc import Iterator

import pytest
from helpers_runbook import at, dedent, load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runbook_tui.runbook.diagnostics import RunbookInvalid
from runbook_tui.runbook.loader import load_runbook
from runbook_tui.runbook.templating import TemplateError, command_text, context_for, render_command, render_text

PRINTF = """
runbook: 1
id: demo
title: Demo
params:
  value: {type: string}
sections:
  - id: main
    steps:
      - id: show
        run: printf '%s' {{ value }}
"""  # optional: any text given, empty too, is the value (a required one given empty is missing: test_required_empty.py)


@pytest.fixture(scope="module")
def printf_runbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("templating") / "printf.yaml"
    path.write_text(dedent(PRINTF), encoding="utf-8")
    return path


#: Any text but NUL (argv, and so `sh -c`, cannot hold it) and lone surrogates (no command
#: line or UTF-8 file carries them); half the examples lean on what the shell treats specially.
SHELL_SPECIAL = " \t\n\r;&|<>()$`\\\"'*?[]#~=%!{}^-x"
VALUES = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00")),
    st.text(st.sampled_from(SHELL_SPECIAL)),
)


def run_rendered(command, **kw):
    """Run a rendered command as the executors do: its text to `sh -c`, its values in the environment."""
    return subprocess.run(["sh", "-c", command.text], env={"PATH": os.environ["PATH"], **dict(command.env)}, capture_output=True, timeout=10, **kw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES)
def test_any_string_value_reaches_the_shell_as_one_literal_word(printf_runbook, value):
    runbook = load_runbook(printf_runbook, {"value": value}).runbook
    shown = runbook.step("show").body.value
    assert shown is not None
    assert shlex.split(shown) == ["printf", "%s", value]  # what people read: the value, quoted
    command = command_text(runbook.step("show").body, context_for(runbook))
    assert command.text == "printf '%s' \"${RBT_V1}\"" and command.env == (("RBT_V1", value),)  # what runs: a reference
    result = run_rendered(command)
    assert result.returncode == 0, result.stderr
    assert result.stdout == value.encode("utf-8")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES, template=st.sampled_from(["printf '%s' \"{{ v }}\"", "printf '%s' \"<{{ v }}>\"", "printf '%s' 'a'\"{{ v }}\"'b'"]))
def test_a_value_inside_quotes_stays_literal_too(value, template):
    """Authors write `echo "{{ name }}"`; the value is referred to, never spliced into the text."""
    command = render_command(template, {"v": value})
    expected = shlex.split(template.replace("{{ v }}", "VALUE"))[2].replace("VALUE", value)
    result = run_rendered(command)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected.encode("utf-8")


def test_a_value_inside_single_quotes_is_refused():
    """Inside '...' the shell expands nothing: no reference can work there, so the template is refused."""
    with pytest.raises(TemplateError, match="instead of '"):
        render_command("printf '%s' '{{ v }}'", {"v": "x"})


@pytest.mark.parametrize(
    "value",
    ["x; touch pwned", "$(touch pwned)", "`touch pwned`", "x && touch pwned", "x\ntouch pwned", "x' ; touch pwned; '"],
)
def test_injection_in_a_parameter_runs_nothing(printf_runbook, tmp_path, value):
    runbook = load_runbook(printf_runbook, {"value": value}).runbook
    result = run_rendered(command_text(runbook.step("show").body, context_for(runbook)), cwd=tmp_path)
    assert result.stdout == value.encode("utf-8")
    assert not (tmp_path / "pwned").exists()


RAW_AND_LIST = """
runbook: 1
id: demo
title: Demo
params:
  flags: {type: string, default: "-l -a"}
  files: {type: list, default: "a b,c;d,$(id)"}
sections:
  - id: main
    steps:
      - id: quoted
        run: ls {{ flags }}
      - id: raw
        run: ls {{ flags | raw }}
      - id: listed
        run: ls {{ files }}
"""


def test_raw_opts_out_of_quoting(write_runbook):
    runbook = load(write_runbook(RAW_AND_LIST)).runbook
    assert runbook.step("quoted").body.value == "ls '-l -a'"
    assert runbook.step("raw").body.value == "ls -l -a"
    assert shlex.split(runbook.step("raw").body.value) == ["ls", "-l", "-a"]


def test_list_renders_as_separate_quoted_words(write_runbook):
    command = load(write_runbook(RAW_AND_LIST)).runbook.step("listed").body.value
    assert shlex.split(command) == ["ls", "a b", "c;d", "$(id)"]
    assert command == "ls 'a b' 'c;d' '$(id)'"


def test_list_words_reach_the_shell_one_by_one(write_runbook):
    path = write_runbook(RAW_AND_LIST.replace("run: ls {{ files }}", "run: printf '<%s>' {{ files }}"))
    command = load(path).runbook.step("listed").body.value
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=10)
    assert result.stdout == "<a b><c;d><$(id)>"


EXPECT = """
runbook: 1
id: demo
title: Demo
params:
  version: {type: string, default: "a.b"}
sections:
  - id: main
    steps:
      - id: check
        run: cat VERSION
        expect:
          stdout: '^{{ version }}$'
      - id: loose
        run: cat VERSION
        expect:
          stdout: '^{{ version | raw }}$'
"""


def test_expect_stdout_interpolation_is_regex_escaped(write_runbook):
    runbook = load(write_runbook(EXPECT)).runbook
    pattern = runbook.step("check").expect.stdout.value
    assert re.search(pattern, "a.b")
    assert not re.search(pattern, "axb")
    # `| raw` in a regex keeps the value's metacharacters: the author's choice.
    assert re.search(runbook.step("loose").expect.stdout.value, "axb")


def test_expect_stdout_escapes_regex_metacharacters_of_any_value(write_runbook):
    value = "1+1=(2)? [ok] *$^|\\"
    pattern = load(write_runbook(EXPECT), {"version": value}).runbook.step("check").expect.stdout.value
    assert re.search(pattern, value)
    assert not re.search(pattern, "11=2 ok")


LAZY = """
runbook: 1
id: demo
title: "Deploy {{ release }}"
params:
  release: {type: string, default: "v1"}
secrets:
  token: {env: DEPLOY_TOKEN}
hosts:
  web:
    - {name: web1, address: 10.0.0.1, user: deploy}
    - {name: web2, address: 10.0.0.2}
sections:
  - id: main
    steps:
      - id: fetch
        on: web
        run: fetch {{ release }} --to {{ host.name }}
        undo: rm -rf /srv/{{ release }}
        capture: old
      - id: switch
        on: web
        run: switch {{ release }} --from {{ captured.old }}
        expect:
          stdout: '^{{ captured.old }}$'
      - id: notify
        note: "Tell {{ host.name }} on {{ host.address }}"
      - id: auth
        run: login --token {{ secrets.token }}
"""


def test_strings_using_captured_or_host_are_rendered_later(write_runbook):
    runbook = load(write_runbook(LAZY)).runbook
    fetch, switch, notify = runbook.step("fetch"), runbook.step("switch"), runbook.step("notify")
    assert fetch.body.value is None and fetch.body.lazy  # host
    assert switch.body.value is None  # captured
    assert switch.expect.stdout.value is None
    assert notify.body.value is None
    # Everything else is rendered at load.
    assert runbook.title == "Deploy v1"
    assert fetch.undo.value == "rm -rf /srv/v1"
    assert not fetch.undo.lazy


def test_lazy_strings_render_with_host_and_captures(write_runbook):
    runbook = load(write_runbook(LAZY), {"release": "v2"}).runbook
    web1, web2 = runbook.group("web")
    fetch, switch = runbook.step("fetch"), runbook.step("switch")
    assert render_text(fetch.body, context_for(runbook, host=web1)) == "fetch v2 --to web1"
    assert render_text(fetch.body, context_for(runbook, host=web2)) == "fetch v2 --to web2"
    captured = {"old": "v1; rm -rf /"}
    command = render_text(switch.body, context_for(runbook, host=web1, captured=captured))
    assert shlex.split(command) == ["switch", "v2", "--from", "v1; rm -rf /"]  # captures are quoted too
    pattern = render_text(switch.expect.stdout, context_for(runbook, host=web1, captured={"old": "v1.0"}))
    assert re.search(pattern, "v1.0") and not re.search(pattern, "v1x0")


def test_lazy_note_renders_host_fields_as_plain_text(write_runbook):
    runbook = load(write_runbook(LAZY)).runbook
    web1 = runbook.group("web")[0]
    assert render_text(runbook.step("notify").body, context_for(runbook, host=web1)) == "Tell web1 on 10.0.0.1"


def test_secrets_render_masked_unless_given_and_quoted_when_given(write_runbook):
    runbook = load(write_runbook(LAZY)).runbook
    auth = runbook.step("auth")
    assert auth.body.value is None  # secrets are read when the run starts, never at load
    assert "***" in render_text(auth.body, context_for(runbook))
    command = render_text(auth.body, context_for(runbook, secrets={"token": "s3cr3t $(id)"}))
    assert shlex.split(command) == ["login", "--token", "s3cr3t $(id)"]


SANDBOX = """
runbook: 1
id: demo
title: Demo
hosts:
  web: [{name: web1}]
sections:
  - id: main
    steps:
      - id: escape
        on: web
        run: echo {{ %s }}
"""


@pytest.mark.parametrize(
    "expr",
    [
        "''.__class__.__mro__",
        "''.__class__.__mro__[1].__subclasses__()",
        "self.__init__.__globals__",
        "now.__class__",
        "'{0.__class__}'.format(1)",
        "''|attr('__class__')",
        "lipsum.__globals__",
        "cycler.__init__.__globals__",
        "host.name.__class__",  # rendered late: refused when the step renders
        "(host|attr('__class__')).__mro__",
    ],
)
def test_sandbox_refuses_python_internals(write_runbook, expr):
    path = write_runbook(SANDBOX % expr)
    try:
        runbook = load(path).runbook
    except RunbookInvalid as invalid:
        assert invalid.errors, "refused without an error"
        assert at(invalid.errors[0]) == (11, 14)
        return
    step = runbook.step("escape")
    assert step.body.value is None, f"rendered at load: {step.body.value!r}"
    with pytest.raises(TemplateError):
        render_text(step.body, context_for(runbook, host=runbook.group("web")[0]))


def test_template_syntax_error_is_reported_at_its_string(write_runbook):
    path = write_runbook(SANDBOX % "oops(")
    with pytest.raises(RunbookInvalid) as info:
        load(path)
    [err] = info.value.errors
    assert at(err) == (11, 14)
    assert "template syntax error" in err.message


@pytest.fixture
def nine_hours_east(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process's local time zone is JST, nine hours east of UTC, whatever the machine's (`now` is local time; the
    test assumed the machine's zone was UTC, and failed elsewhere). A POSIX TZ string: no tzdata needed."""
    monkeypatch.setenv("TZ", "JST-9")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_now_is_timezone_aware_and_its_zone_can_be_written(tmp_path, nine_hours_east):
    """`now` is timezone-aware (the spec's table): `{{ now.tzinfo }}` writes its zone. Before, validate refused it:
    'a template can insert text, numbers, lists and mappings, not a timezone'."""
    path = tmp_path / "now.yaml"
    path.write_text(
        dedent(
            """
            runbook: 1
            id: demo
            title: "{{ now.tzinfo }} {{ now.isoformat()[-6:] }} {{ now.strftime('%Z') }}"
            sections:
              - id: main
                steps:
                  - {id: a, run: "true"}
            """
        ),
        encoding="utf-8",
    )
    assert load_runbook(str(path), {}).runbook.title == "JST +09:00 JST"
