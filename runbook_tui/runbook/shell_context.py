"""Where each interpolated value stands in a shell command: a small POSIX/bash tokenizer.

The command text comes with one marker character per value (see
`shell_places`). `classify` follows the shell's own rules over the text - quotes,
`$'...'`, comments, `$(...)`, backticks (inside double quotes too),
`$((...))`, `${...}` (and `${a[...]}` subscripts), heredocs (quoted or
not, `<<-`), here-strings, line continuations, `case` patterns, `[[ ... ]]`,
`((...))`, `let` - and says, for each marker, in which context the shell
meets it, and whether another shell parses it again (see `shell_commands`);
`shell_flow` follows values into variables that arithmetic reads, `shell_heredocs` reads heredocs, `shell_descriptors`
follows values through descriptors, coprocesses and `>(...)`.

The caller (`templating`) turns each context into a reference to an
environment variable (`"${RBT_V1}"`), or refuses the template; `shell_classify`
reads a command of plain words without this state machine.
"""

from __future__ import annotations

from typing import Any

from runbook_tui.runbook import lazy_re, shell_flow, shell_nested, shell_unknown
from runbook_tui.runbook import shell_descriptors as descriptors
from runbook_tui.runbook import shell_files as files
from runbook_tui.runbook import shell_heredocs as heredocs
from runbook_tui.runbook import shell_parameters as parameters
from runbook_tui.runbook import shell_programs as programs
from runbook_tui.runbook import shell_wrappers as wrappers
from runbook_tui.runbook.shell_code import GDB_SHELL
from runbook_tui.runbook.shell_flow import Flow
from runbook_tui.runbook.shell_places import (
    EXPANSION,
    WHOLE_NAME,
    Kind,
    Place,
    Word,
    has_markers,
    marker_index,
)

_PLAIN = lazy_re.compile(r"[^\s'\"\\$`;&|<>()#]+")  # characters with no meaning of their own
_NAME = lazy_re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9@*]")  # what `$` expands: a name, a positional parameter, `$@`
#: Words after which `((` is arithmetic and `[[` a test (`if (( n > 1 ))`, `for (( ... ))`, `while [[ ... ]]`).
_BEFORE_COMPOUND = wrappers.COMPOUND_START | {"for"}
#: Words opening and closing a compound command, whose output as a whole feeds a pipe (`while ...; done | sh`).
_OPENS = frozenset({"{", "if", "while", "until", "for", "select", "case"})
_CLOSES = frozenset({"}", "fi", "done", "esac"})
_COMPOUND = lazy_re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\+?=")  # `NAME=(` of an array's compound assignment
_DEFINITION = lazy_re.compile(r"\(\s*\)")  # `NAME()` of a function definition


class Tokenizer:
    """Fills `places` (marker index -> Place) for the text; `level`: how many shells parse it before this one."""

    def __init__(self, text: str, places: dict[int, Place], level: int, flow: Flow | None = None) -> None:
        self.s = text
        self.places = places
        self.level = level
        self.flow = flow or Flow()
        #: delimiter, quoted, strip tabs, the shell reading it (""), the variables `read` fills from it,
        #: the interpreter reading it as its program ("")
        self.pending_heredocs: list[list[Any]] = []
        #: values the next command list read reads on stdin (`>(sh)`, `| (sh)`), the variables expanded there, the words
        #: printed there (what a `read` reads: `| (read l; eval "$l")`)
        self.feed: tuple[list[int], list[str], list[Word]] = ([], [], [])
        #: every command read, in order: its words and the variables it `read`s its input into (what a redirection after a
        #: compound command, a subshell or a `>(...)` reaches: `{ sh; } <<< "{{ x }}"`, see `shell_descriptors`)
        self.log: list[tuple[list[str], list[str]]] = []
        self.defining = ""  # the function whose body opens next (`f() {`)
        self.input: tuple[list[int], list[str]] = ([], [])  # what the command being read reads: its `$(cat)` reads it too
        self.elements = False  # reading an array's elements (`a=(...)`): words, not commands

    def finish(self) -> dict[int, Place]:
        """Once the whole text is read: values that reach arithmetic through a variable take integers only."""
        self.flow.finish(self.places)
        return self.places

    # -- helpers ---------------------------------------------------------------------------

    def _mark(self, char: str, kind: Kind, frame: dict[str, bool]) -> int | None:
        index = marker_index(char)
        if index is None:
            return None
        place = self.places.setdefault(index, Place())
        if self.level == 0:
            place.kind = kind
            # bash keeps a `\"` as is in backticks in a heredoc or in "${x:-...}" (dash reads it as `"`): a bare `"` there
            place.in_backticks_in_quotes = frame.get("bt_dq", False) and not frame.get("bt_hd") and not frame.get("bt_brace")
            # backticks in backticks, or in a quoted "${x:-`...`}" (bash reads a `$(` even inside the value's quotes there)
            place.nested_backticks = frame.get("bt2", False) or frame.get("bt_brace", False)
            place.in_brace = ("quoted" if frame.get("brace_q") else "bare") if frame.get("brace") else ""
            place.backticks = ("heredoc" if frame.get("bt_hd") else "quoted" if frame.get("bt_dq") else "plain") if frame.get("bt") else ""
        else:
            place.inner = kind
        if kind == "ARITH" or frame.get("arith", False):
            place.integer = True
        return index

    def at(self, i: int, prefix: str) -> bool:
        return self.s.startswith(prefix, i)

    # -- command lists ------------------------------------------------------------------------

    def parse_list(self, i: int, close: str, frame: dict[str, bool]) -> int:
        """Commands up to `close` (`)` or end of text); returns the index after it."""
        words: list[Word] = []
        word = Word()
        redirect_next = False
        case_state = ""  # "", "word", "in", "pattern", "body"
        cond_words: list[Word] | None = None
        here_string = input_redirect = output_redirect = False
        targets: list[str] = []  # files this command's output goes to (`> f.sh`): see `shell_files`
        sources: list[Word] = []  # files on this command's stdin (`sh < f.sh`)
        # values in what this command feeds a shell: earlier stages of its pipeline, here-strings, and the variables expanded
        # there (`v="{{ x }}"; echo "$v" | sh`); what `exec <<< ...` left on the shell's own stdin (`shell_descriptors`)
        fed, fed_refs, printed = self.feed if any(self.feed) else descriptors.shell_stdin(self.flow)
        self.feed, self.input = ([], [], []), (fed, fed_refs)
        readers: list[list[str]] = []  # the commands in this command's `>(...)`, reading what it writes
        to_stdin = to_stdout = to_descriptor = duplicating = False  # redirections of fd 0 (`exec <<< ...`), fd 1, to `>&3`
        fed_heredocs: list[list[Any]] = []  # heredocs of earlier stages of the pipeline (read after the line)
        # `printed`: what this command reads on stdin holds: here-strings, what an earlier `echo` printed
        known = set(self.places), len(self.flow.seen)  # values and variables seen before this command
        # and before each compound command still open (`{ echo "{{ x }}"; } | sh`), with where its commands start in the log
        opened: list[tuple[tuple[set[int], int], int, str]] = []  # (and the function it defines: `f() { ...; }`)
        subshell: int | None = None  # where the commands of this command's `( ... )` start in the log
        heredocs_before = len(self.pending_heredocs)
        s = self.s
        n = len(s)

        def end_word() -> None:
            nonlocal word, redirect_next, case_state, cond_words, here_string, printed, input_redirect, output_redirect, to_descriptor
            if not word.started:
                return
            text = word.text
            if redirect_next:
                redirect_next = False
                if here_string:
                    fed.extend(word.markers + word.expanded_markers)
                    fed_refs.extend(word.refs)
                    printed.append(word)
                    here_string = False
                elif input_redirect:  # `sh < <(printf ...)`, `python3 < "$(...)"`: the output (names) what it reads
                    sources.append(word)
                    fed.extend(word.expanded_markers + files.written(self, text))  # `sh < f.sh`: what was written there
                    printed.extend([word] if word.substitutions else [])  # `read n < <(printf ...)`: n holds what it prints
                elif output_redirect and not (word.text.isdigit() or word.text == "-"):  # `>&2`, `>&-`: a descriptor
                    targets.append(files.named_file(word))
                to_descriptor = to_descriptor or (output_redirect and duplicating and descriptors.other_descriptor(text))
                output_redirect = False
            elif case_state == "word":
                case_state = "in"
            elif case_state == "in" and text == "in":
                case_state = "pattern"
            else:
                if not words and text == "case" and not word.markers:
                    case_state = "word"
                elif text == "[[" and all(w.text in _BEFORE_COMPOUND for w in words):
                    cond_words = []
                elif cond_words is not None:
                    if text == "]]":
                        shell_flow.cond(self.flow, cond_words, self.places)
                        cond_words = None
                    else:
                        cond_words.append(word)
                if case_state != "pattern":
                    if len(words) == 2 and words[0].text == "function" and text in ("{", "("):
                        self.defining = words[1].text
                        words.clear()  # `function f { ...; }`: the body's commands are commands of their own
                    words.append(word)
            word = Word()

        def end_command(pipe: bool = False) -> None:
            """The command is complete; `pipe`: its output feeds the next one."""
            nonlocal words, fed, fed_refs, fed_heredocs, known, heredocs_before, printed, readers, to_stdin, to_stdout, to_descriptor, subshell
            end_word()
            texts = [self.flow.command_name(w) for w in words]  # (`"$SHELL"` names a shell)
            descriptors.named_input(self.flow, texts, fed, fed_refs)  # `sh /dev/fd/3` after `exec 3<<< "{{ x }}"`
            self.flow.bodies += bool(self.defining and texts[:1] and texts[0] in _OPENS)  # `f() { sh g;`: see `files.ran`
            with files.feeding(self.flow, fed, fed_refs, fed_heredocs + self.pending_heredocs[heredocs_before:]):  # what an inner shell reads
                reads = self.simple_command(words)
            if (fed or fed_refs) and any(w.text.rpartition("/")[2] == "xargs" for w in words):  # its input: $1... of what it runs
                self.flow.assign(shell_flow.POSITIONAL, fed, fed_refs)
            for name in reads:  # `read n <<< "{{ x }}"`, `echo "{{ x }}" | while read n`, `... | sh -c 'read n; ...'`
                if any(w.name_substituted() for w in printed):  # `read e < <(command -v bash)`: e names a program
                    self.flow.substituted.add(name)
                held = [m for w in printed for m in w.markers + w.expanded_markers] or (self.flow.stdin if self.level else [])
                self.flow.assign(name, held, [r for w in printed for r in w.refs])
            for heredoc in self.pending_heredocs[heredocs_before:]:
                heredoc[4] = reads
            feeds = fed or fed_refs or fed_heredocs or len(self.pending_heredocs) > heredocs_before
            if sources and programs.reads_code([w.text for w in words]):  # `sh < "{{ x }}"`: the value names the script
                self.program_path(sources)
            sources.clear()
            if words and feeds:  # `... | sh`, `sh <<EOF`, `python3 - <<EOF`, `perl <<< "..."`
                programs.read_stdin(self, texts, (fed, fed_refs), fed_heredocs + self.pending_heredocs[heredocs_before:])
            elif words and self.level and (self.flow.stdin or self.flow.stdin_refs):  # `echo "{{ x }}" | sh -c 'sh'`
                programs.read_stdin(self, texts, (self.flow.stdin, self.flow.stdin_refs), self.flow.stdin_heredocs)
            self.log.extend([(texts, reads)] if words else [])
            first = words[0].text if words else ""
            if first in _OPENS:
                opened.append((known, len(self.log) - 1, self.defining))
                self.defining = ""
            (before, seen), start, function = opened.pop() if first in _CLOSES and opened else (known, subshell, "")
            inner = self.log[start:] if start is not None else descriptors.called(self.flow, texts)  # `{ sh; } <<< "{{ x }}"`
            self.flow.defined(function, inner)  # `f() { sh; }; f <<< "{{ x }}"`
            descriptors.inside(self, inner, (fed, fed_refs, printed), fed_heredocs + self.pending_heredocs[heredocs_before:])
            mine, mine_refs = [m for m in self.places if m not in before], self.flow.seen[seen:]
            holding, own_heredocs = (fed + mine, fed_refs + mine_refs), fed_heredocs + self.pending_heredocs[heredocs_before:]
            if not descriptors.opened(self, texts, (fed, fed_refs), (to_stdin, to_stdout), targets, readers):  # `exec 3<<< "{{ x }}"`
                files.wrote(self, words, targets, holding, own_heredocs)
                descriptors.feed(self, readers, holding, own_heredocs)  # `echo "{{ x }}" | tee >(sh)`
            if to_descriptor or self.flow.output_captured:  # `echo "{{ x }}" >&3` after `exec 3> >(sh)`, `coproc sh`, `exec 3> f.sh`
                descriptors.to_descriptor(self, holding, own_heredocs)
            descriptors.coprocess(self, texts, inner)
            targets.clear()
            readers, to_stdin, to_stdout, to_descriptor, subshell = [], False, False, False, None
            out = [m for m in files.printed(self, texts, (fed, fed_refs)) if m not in fed]  # `cat f.sh`; not twice (`| cat | cat`)
            fed, fed_refs, printed = (
                ([*fed, *mine, *out], [*fed_refs, *mine_refs], [*printed, *shell_flow.printed_words(words)]) if pipe else descriptors.shell_stdin(self.flow)
            )
            fed_heredocs, self.input = [*fed_heredocs, *self.pending_heredocs[heredocs_before:]] if pipe else [], (fed, fed_refs)
            known = set(self.places), len(self.flow.seen)
            heredocs_before = len(self.pending_heredocs)
            words = []

        while i < n:
            c = s[i]
            if cond_words is not None and c in "()&|<>":
                end_word()
                if cond_words is not None:  # `[[ ( a -lt b ) && c ]]`: the test's own operators, not the shell's
                    i += 2 if self.at(i, "&&") or self.at(i, "||") else 1
                    continue
            if close == ")" and c == ")" and case_state != "pattern":
                end_command()
                return i + 1
            if c in " \t":
                end_word()
                i += 1
            elif c == "\n":
                end_command()
                i = heredocs.bodies(self, i + 1, frame)
            elif c == "#" and not word.started:
                j = s.find("\n", i)
                j = n if j < 0 else j
                for ch in s[i:j]:
                    self._mark(ch, "COMMENT", frame)
                i = j
            elif c == ";":
                end_command()
                if self.at(i, ";;") or self.at(i, ";&"):
                    i += 3 if self.at(i, ";;&") else 2
                    if case_state == "body":
                        case_state = "pattern"
                else:
                    i += 1
            elif c in "&|" and not self.at(i, "&>"):
                pipe = c == "|" and not self.at(i, "||")
                end_command(pipe)
                i += 2 if self.at(i, c * 2) or self.at(i, "|&") else 1
            elif c in "<>&":  # `&>`, `&>>` too: bash writes both outputs to the file
                fd = word.text if descriptors.names_descriptor(word.text, s[i - 1]) else ""
                if fd:
                    word = Word()  # `2>`, `{fd}<<<` names a descriptor: not a word of the command
                end_word()
                if self.at(i, "<(") or self.at(i, ">("):
                    if self.at(i, ">("):  # `tee >(sh)`, `> >(sh)`: what this command writes is the inner one's stdin
                        self.feed = ([*fed, *(m for m in self.places if m not in known[0])], [*fed_refs, *self.flow.seen[known[1] :]], [])
                    start, reading = len(self.log), self.at(i, ">(")
                    word.started = True
                    word.substitutions.extend([len(word.cooked)] if self.at(i, "<(") else [])  # what it prints is read
                    word.cooked.append(EXPANSION)
                    i = self._sub(i + 2, ")", frame, word)
                    readers.extend(texts for texts, _ in self.log[start:] if reading)
                    continue
                to_stdin, to_stdout = to_stdin or (s[i] == "<" and fd in ("", "0")), to_stdout or (s[i] in ">&" and fd in ("", "1"))
                if self.at(i, "<<<"):
                    here_string = True
                    i += 3
                elif self.at(i, "<<"):
                    i = heredocs.operator(self, i)
                    continue
                else:
                    if self.at(i, "<&"):  # `bash <&3`: what `exec 3<<< "..."` opened on that descriptor
                        fed.extend(self.flow.descriptors)
                        fed_refs.extend(self.flow.descriptor_refs)
                        printed.append(descriptors.readable(self.flow.descriptors, self.flow.descriptor_refs))
                    input_redirect = s[i] == "<" and s[i + 1 : i + 2] not in ("&", ">")
                    output_redirect = s[i] in ">&"  # `>& FILE` (bash: both outputs) too
                    i += 1
                    while i < n and s[i] in "<>&|":
                        i += 1
                    duplicating = s[i - 1] == "&"  # `>&3`: a descriptor (`>& FILE` too: bash's both outputs)
                redirect_next = True
            elif c == "(":
                if not word.started and self.at(i, "((") and all(w.text in _BEFORE_COMPOUND for w in words):
                    i = parameters.arithmetic(self, i + 2, frame)
                    continue
                compound = _COMPOUND.fullmatch(word.text) if word.started and not word.markers else None
                end_word()
                if case_state == "pattern":
                    i += 1
                    continue
                if compound:  # `a=("{{ x }}")`: the elements' values flow into a (then `eval "${a[0]}"`)
                    before, seen, self.elements = set(self.places), len(self.flow.seen), True
                    i = self.parse_list(i + 1, ")", frame)
                    self.elements = False
                    self.flow.assign(compound.group(1), [m for m in self.places if m not in before], self.flow.seen[seen:])
                    continue
                definition = _DEFINITION.match(s, i)
                if definition and [w.text for w in words][-2:-1] in ([], ["function"]) and len(words) <= 2 and words:
                    self.defining = words[-1].text
                    words.clear()  # `f() { eval "$1"; }`: the body's commands are commands of their own, not f's words
                    i = definition.end()
                    continue
                if not words or [w.text for w in words][:1] == ["coproc"]:  # `... | (sh)`, `(sh) <<< ...`, `coproc S (sh)`
                    self.feed, subshell = (list(fed), list(fed_refs), list(printed)), len(self.log)
                function, self.defining = ("", self.defining) if words else (self.defining, "")  # `f() ( sh g )`: its body
                self.flow.bodies += bool(function)
                i = self.parse_list(i + 1, ")", frame)
                self.flow.defined(function, self.log[subshell:])  # (`subshell` is where its commands start)
            elif c == ")" and case_state == "pattern":
                end_word()
                case_state = "body"
                i += 1
            else:
                if case_state in ("body", "pattern") and not words and not word.started and self._word_at(i, "esac"):
                    case_state = ""
                i = self._word_part(i, word, frame, close)
        end_command()
        return i

    def simple_command(self, words: list[Word]) -> list[str]:
        """A simple command's words are complete: values another shell parses again, values flowing into variables
        and arithmetic (see `shell_flow`); returns the variables it `read`s its input into."""
        texts = [self.flow.command_name(w) for w in words]
        start = wrappers.command_start(texts)
        named = start < len(words) and not self.elements and words[start].text not in _BEFORE_COMPOUND and not shell_flow.assigns(words[start].text)
        # `{{ x }} --version`, `$cmd arg`: the value is the whole name, so it picks any program. A value that is only part
        # of the name (`/usr/lib/postgresql/{{ v }}/bin/pg_upgrade`, `"$bin/pg_ctl"`) is one literal word of a path the
        # runbook names: it passes when it is one file or folder name (`shell_values.program_path_refusal`).
        if named and WHOLE_NAME.fullmatch(words[start].text):
            for m in words[start].markers + words[start].expanded_markers:
                self.places[m].runs_as = self.places[m].runs_as or "the command's name"
            self.flow.run_as_command.update(words[start].refs)
        elif named:  # the value stays one name in that path: `..` or a `/` in it would leave the folder the runbook names
            self.program_path(words[start : start + 1])
        inputs = shell_unknown.follow(self, words, texts, start, named)  # `$(echo eval) "{{ x }}"`, `awk ... system(v)`
        shell_nested.nested(self, words, texts)  # words another shell parses again: their values one level deeper
        files.ran(self, texts)
        return shell_flow.simple_command(self.flow, words, self.places) + inputs

    def program_path(self, words: list[Word]) -> None:
        """The values in these words name the program or script that runs (`shell_values.program_path_refusal`)."""
        for word in words:
            for m in word.markers + word.expanded_markers:
                self.places[m].program_path = True
            self.flow.program_path.update(word.refs)

    def _word_at(self, i: int, text: str) -> bool:
        end = i + len(text)
        return self.s.startswith(text, i) and (end >= len(self.s) or self.s[end] in " \t\n;&|()")

    # -- words ------------------------------------------------------------------------------------

    def _word_part(self, i: int, word: Word, frame: dict[str, bool], close: str) -> int:
        """One piece of a word starting at `i`: a quoted string, an expansion, an escape or a character."""
        s = self.s
        word.started = True
        run = _PLAIN.match(s, i)
        if run:  # ordinary characters, a run at a time (only a marker among them needs a look)
            text = run.group(0)
            word.cooked.append(text)
            for ch in text if has_markers(text) else ():
                self._direct(ch, "WORD", frame, word)
            return run.end()
        c = s[i]
        if c == "\\":
            if i + 1 < len(s):
                if s[i + 1] == "\n":
                    return i + 2  # a line continuation
                word.cooked.append(s[i + 1])
                self._direct(s[i + 1], "WORD", frame, word)
            return i + 2
        if c == "'":
            j = s.find("'", i + 1)
            j = len(s) if j < 0 else j
            for ch in s[i + 1 : j]:
                word.cooked.append(ch)
                self._direct(ch, "SINGLE", frame, word)
            return j + 1
        if c == "$" and self.at(i, "$'"):
            j = i + 2
            while j < len(s) and s[j] != "'":
                j += 2 if s[j] == "\\" else 1
            for ch in s[i + 2 : j]:
                self._direct(ch, "ANSI_C", frame, word)
            word.cooked.append(EXPANSION)
            return j + 1
        if c == '"':
            return self._double(i + 1, word, frame)
        if c == "$" or c == "`":
            return self._expansion(i, word, frame, quoted=False)
        word.cooked.append(c)
        self._direct(c, "WORD", frame, word)
        return i + 1

    def _direct(self, ch: str, kind: Kind, frame: dict[str, bool], word: Word) -> None:
        index = self._mark(ch, kind, frame)
        if index is not None:
            word.markers.append(index)

    def _double(self, i: int, word: Word, frame: dict[str, bool]) -> int:
        s = self.s
        while i < len(s) and s[i] != '"':
            c = s[i]
            if c == "\\" and i + 1 < len(s):
                if s[i + 1] in '$`"\\':
                    word.cooked.append(s[i + 1])
                    i += 2
                    continue
                if s[i + 1] == "\n":
                    i += 2
                    continue
            if c in "$`":
                i = self._expansion(i, word, frame, quoted=True)
                continue
            word.cooked.append(c)
            self._direct(c, "QUOTED", frame, word)
            i += 1
        return i + 1

    def _expansion(self, i: int, word: Word, frame: dict[str, bool], *, quoted: bool) -> int:
        """`$(...)`, `$((...))`, `${...}`, `` `...` ``, `$name` at `i`."""
        s = self.s
        if self.at(i, "$(("):
            word.cooked.append(EXPANSION)
            return parameters.arithmetic(self, i + 3, frame, word)
        if self.at(i, "$["):  # bash's old spelling of $((...))
            word.cooked.append(EXPANSION)
            return parameters.arithmetic(self, i + 2, frame, word, "]")
        if self.at(i, "$("):
            word.substitutions.append(len(word.cooked))
            word.cooked.append(EXPANSION)
            return self._sub(i + 2, ")", frame, word)
        if s[i] == "`":
            word.substitutions.append(len(word.cooked))
            word.cooked.append(EXPANSION)
            return parameters.backticks(self, i + 1, frame, word, quoted=quoted)
        if self.at(i, "${"):
            word.cooked.append(EXPANSION)
            return parameters.expansion(self, i + 2, word, frame, quoted=quoted)
        word.cooked.append("$")
        name = _NAME.match(s, i + 1)
        if name:
            self._ref(name.group(0), word)
        return i + 1

    def _ref(self, name: str, word: Word) -> None:
        """The word expands variable `name` (or a positional parameter)."""
        followed = shell_flow.reference(name)
        if followed:
            word.refs.append(followed)
            self.flow.seen.append(followed)

    def _sub(self, i: int, close: str, frame: dict[str, bool], word: Word) -> int:
        before, seen, printed, outer = set(self.places), len(self.flow.seen), len(self.flow.printed), self.input
        self.feed = (list(outer[0]), list(outer[1]), [])  # `{ c=$(cat); eval "$c"; }`: it reads the command's input
        end = self.parse_list(i, close, {**frame, "arith": False, "hd": False, "bt_brace": False})
        self.input = outer
        word.expanded_markers.extend([m for m in self.places if m not in before] + self.flow.printed[printed:])  # `$(cat f)`
        word.refs.extend(self.flow.seen[seen:])
        return end

    # -- nested shells ------------------------------------------------------------------------------

    def _reparse(self, script: list[Word], by: str) -> None:
        for w in script:
            self._output_reparsed(w.expanded_markers, by)
            self.flow.reparsed.update(dict.fromkeys(w.refs, by))  # `v="{{ x }}"; eval "$v"`: v's values are code
        text = " ".join(w.text for w in script).partition("=")[2] if by == "alias" else " ".join(w.text for w in script)
        if by == "gdb -ex shell":  # `shell CMD`, `!CMD`: CMD is the script (the value may be its command's name)
            text = GDB_SHELL.sub("", text, count=1)
        later = by in ("trap", "alias")  # `trap "sh g" EXIT; echo "{{ x }}" > g`: it runs after what follows (`files.ran`)
        if not has_markers(text) and not self.flow.every_script and not later:
            return
        for w in script:
            for m in w.markers:
                place = self.places[m]
                place.levels = max(place.levels, self.level + 1)
                place.by = place.by or by
        self.flow.bodies += later
        Tokenizer(text, self.places, self.level + 1, self.flow).parse_list(0, "", {})
        self.flow.bodies -= later

    def _output_reparsed(self, markers: list[int], by: str) -> None:
        """Values inside an expansion (or a command) whose output a shell parses: never safe to quote for it."""
        for m in markers:
            self.places[m].reparsed_output = True
            self.places[m].by = self.places[m].by or by
