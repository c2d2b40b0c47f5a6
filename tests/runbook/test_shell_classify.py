"""The shell check's short ways give exactly the long ways' answers.

A command of plain words is read without the tokenizer (`shell_classify`):
each text below is also read by the tokenizer (`tokenized`); both must give
the same place, for every value, including the command rules that make a
value unsafe (`sh -c`, `ssh`, `eval`, `let`, `declare`, `[ -v ]`...). And a
simple template's command is checked from its simple form (`static_problems`
given `split`): the same problems as reading its source.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from shell_context_cases import CASES

from runbook_tui.runbook import shell_classify
from runbook_tui.runbook.shell_classify import classify, tokenized
from runbook_tui.runbook.shell_commands import names_none, naming_arguments, script_files, scripts
from runbook_tui.runbook.shell_places import marker
from runbook_tui.runbook.shell_values import static_problems
from runbook_tui.runbook.template_simple import split
from runbook_tui.runbook.templating import GLOBALS

M0, M1, M2 = marker(0), marker(1), marker(2)

#: Plain-word commands: each rule of shell_commands, blanks of both kinds, whitespace that is part of a word.
PLAIN = [
    f"systemctl restart app-1 --cluster {M0} --host {M1}",
    f"printf %s {M0}",
    f"sh -c {M0}",
    f"sudo -u root -n sh -c {M0} sh {M1}",
    f"/bin/bash -xc {M0}",
    f"su - postgres -c {M0}",
    f"eval {M0} {M1}",
    f"ssh -p 22 db1 {M0}",
    f"ssh db1 echo {M0}",
    f"ssh {M0}",
    f"watch -n 1 {M0}",
    f"watch -x {M0}",
    f"timeout 5 sh -c {M0}",
    f"env A=1 B={M0} sh -c {M1}",
    f"xargs -I x sh -c {M0}",
    f"let y={M0} {M1}",
    f"declare x{M0}=1 {M1}",
    f"export {M0}={M1}",
    f"read -p {M0} {M1}",
    f"printf -v {M0} %s {M1}",
    f"[ -v {M0} ]",
    f"test {M0} -eq 1",
    f"tmux new {M0}",
    f"parallel echo ::: {M0}",
    f"{M0}",
    f"{M0}{M1}x{M2}",
    f"  \tprintf\t\t%s   {M0}  ",
    f"printf\xa0%s {M0}\r",
    f"printf {{a,b}} !x ~{M0} *?[{M1}]",
    "",
    "   ",
    "true",
]
#: Plain words ending in a plain redirection of their output (not one of the words).
REDIRECTED = [
    f"echo step 3 on {M0} >> marks",
    f"sh -c {M0} > /tmp/x.log",
    f"ssh db1 echo {M0} >>marks",
    f"let y={M0} {M1}  >  a-b_c.d  ",
    f"{M0} >> out",
    "true > x",
]
#: Redirections the short way leaves to the tokenizer: a value, a quote or an expansion in the target, an fd, more after it.
NOT_SHORT = [
    f"echo x > {M0}",
    f"echo x >> {M0}.log",
    "echo x > '$HOME'",
    "echo x > ~/y",
    "echo x 2> err",
    "echo x >&2",
    "echo x > a > b",
    "echo x > a b",
    "echo x>a",
    f"echo {M0} > a\n> b",
]
#: Starting with a word of its own grammar: left to the tokenizer, still the same answer.
OWN_GRAMMAR = [f"case {M0} in", f"[[ {M0} -eq 1 ]]", f"[[ {M0} ]]"]


def test_plain_commands_take_the_short_way_and_agree_with_the_tokenizer() -> None:
    for text in PLAIN:
        assert shell_classify._plain_words(text) is not None, text
        assert classify(text) == tokenized(text), text


def test_a_plain_redirection_at_the_end_keeps_the_short_way_and_agrees() -> None:
    for text in REDIRECTED:
        assert shell_classify._plain_words(text) is not None, text
        assert classify(text) == tokenized(text), text
    for text in NOT_SHORT:
        assert shell_classify._plain_words(text) is None, text
        assert classify(text) == tokenized(text), text


def test_case_and_double_brackets_go_to_the_tokenizer() -> None:
    for text in OWN_GRAMMAR:
        assert shell_classify._plain_words(text) is None, text
        assert classify(text) == tokenized(text), text


def test_every_context_of_the_real_shell_table_agrees() -> None:
    """The templates the real-shell tests run (quotes, heredocs, expansions: mostly the tokenizer's), as marker text."""
    for case in CASES:
        pieces = re.split(r"\{\{.*?\}\}", case.template)
        text = "".join(piece + marker(k) for k, piece in enumerate(pieces[:-1])) + pieces[-1]
        assert classify(text) == tokenized(text), case.name


WORDS = st.sampled_from(
    [
        *"sh bash su eval ssh watch sudo env timeout xargs let declare export read printf test [ ] [[ ]] case in esac tmux".split(),
        *"-c -n -u -x -s -p -v -eq -- - = A=1 x= root db1 5 1 { } ! ~ * ? /bin/sh \xa0 \r".split(" "),
        M0,
        M1,
        M2,
        f"a{M0}",
        f"{M1}=x",
        f"x={M2}",
        f"a[{M0}]",
        ";",
        ">",
        ">>",
        "2>",
        ">&2",
        "marks",
        "/tmp/x.log",
        "'",
        '"',
        "$",
        "\n",
        "#",
        "|",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(WORDS, st.sampled_from([" ", "\t", "  ", ""])), max_size=10))
def test_generated_commands_agree(parts: list[tuple[str, str]]) -> None:
    text = "".join(word + blank for word, blank in parts)
    assert classify(text) == tokenized(text), repr(text)


NAMES = st.sampled_from(
    [
        *"sh bash /bin/sh /usr/bin/bash su eval ssh watch sudo env timeout xargs let declare export read printf test /usr/bin/test [ . source ./source".split(),
        *"-c -n -u -x -s -v -eq -- A=1 x= root db1 5 systemctl restart app ls cat grep /opt/tool".split(),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(NAMES, max_size=8))
def test_a_command_naming_no_known_command_has_no_word_the_rules_pick(words: list[str]) -> None:
    """The tokenizer skips the command rules when `names_none`: then each rule must indeed find nothing."""
    if names_none(words):
        assert scripts(words) == [] and script_files(words) == [] and naming_arguments(words) == [], words


COMMAND_PIECES = st.sampled_from(
    [
        *["{{ x }}", "{{ host.name }}", "{{x}}", "{{ x | shq }}", "{{ x | raw }}", "{{ range }}", "{{", "}}", "{%", "{#", "\U00100000"],
        *["sh", "-c", "eval", "ssh", "h", "let", "case", "in", "[[", "]]", "printf", "%s", "echo", "a=b"],
        *[" ", " ", "\t", "\n", "'", '"', "$(", ")", "`", ";", "|", "&&", "<<EOF\n", "\nEOF", "#", "\\", "${", "}"],
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(COMMAND_PIECES, max_size=12).map("".join))
def test_a_simple_template_has_the_problems_its_source_has(source: str) -> None:
    assert static_problems(source, split(source, GLOBALS)) == static_problems(source), repr(source)


def test_the_short_check_is_taken_for_the_common_commands() -> None:
    for source in ("systemctl restart app --host {{ host.name }}", "sh -c {{ x }}", "printf '%s' \"{{ x }}\""):
        assert split(source, GLOBALS) is not None, source
        assert static_problems(source, split(source, GLOBALS)) == static_problems(source)
