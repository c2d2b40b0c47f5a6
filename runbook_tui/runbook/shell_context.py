"""Where each interpolated value stands in a shell command: a small POSIX/bash tokenizer.

The command text comes with one marker character per value (see
`shell_places`). `classify` follows the shell's own rules over the text - quotes,
`$'...'`, comments, `$(...)`, backticks (inside double quotes too),
`$((...))`, `${...}` (and `${a[...]}` subscripts), heredocs (quoted or
not, `<<-`), here-strings, line continuations, `case` patterns, `[[ ... ]]`,
`((...))`, `let` - and says, for each marker, in which context the shell
meets it, and whether another shell parses it again (see `shell_commands`).

The caller (`templating`) turns each context into a reference to an
environment variable (`"${RBT_V1}"`), or refuses the template; `shell_classify`
reads a command of plain words without this state machine.
"""

from __future__ import annotations

import re

from runbook_tui.runbook import shell_commands as commands
from runbook_tui.runbook.shell_places import (
    EXPANSION,
    Kind,
    Place,
    Word,
    has_markers,
    marker,
    marker_index,
)

__all__ = ["Place", "Tokenizer"]

_PLAIN = re.compile(r"[^\s'\"\\$`;&|<>()#]+")  # characters with no meaning of their own


class Tokenizer:
    """Fills `places` (marker index -> Place) for the text; `level`: how many shells parse it before this one."""

    def __init__(self, text: str, places: dict[int, Place], level: int) -> None:
        self.s = text
        self.places = places
        self.level = level
        self.pending_heredocs: list[list[str | bool]] = []  # delimiter, quoted, strip tabs, the shell reading it ("")

    # -- helpers ---------------------------------------------------------------------------

    def _mark(self, char: str, kind: Kind, frame: dict[str, bool]) -> int | None:
        index = marker_index(char)
        if index is None:
            return None
        place = self.places.setdefault(index, Place())
        if self.level == 0:
            place.kind = kind
            place.in_backticks_in_quotes = frame.get("bt_dq", False)
            place.nested_backticks = frame.get("bt2", False)
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
        here_string = False
        fed: list[int] = []  # values in what this command feeds a shell: earlier stages of its pipeline, here-strings
        fed_heredocs: list[list[str | bool]] = []  # heredocs of earlier stages of the pipeline (read after the line)
        known = set(self.places)  # values seen before this command
        heredocs_before = len(self.pending_heredocs)
        s = self.s
        n = len(s)

        def end_word() -> None:
            nonlocal word, redirect_next, case_state, cond_words, here_string
            if not word.started:
                return
            text = word.text
            if redirect_next:
                redirect_next = False
                if here_string:
                    fed.extend(word.markers + word.expanded_markers)
                    here_string = False
            elif case_state == "word":
                case_state = "in"
            elif case_state == "in" and text == "in":
                case_state = "pattern"
            else:
                if not words and text == "case" and not word.markers:
                    case_state = "word"
                elif not words and text == "[[":
                    cond_words = []
                elif cond_words is not None:
                    if text == "]]":
                        self._cond(cond_words)
                        cond_words = None
                    else:
                        cond_words.append(word)
                if case_state != "pattern":
                    words.append(word)
            word = Word()

        def end_command(pipe: bool = False) -> None:
            """The command is complete; `pipe`: its output feeds the next one."""
            nonlocal words, fed, fed_heredocs, known, heredocs_before
            end_word()
            self.simple_command(words)
            feeds = fed or fed_heredocs or len(self.pending_heredocs) > heredocs_before
            reader = commands.stdin_script_reader([w.text for w in words]) if words and feeds else None
            if reader:
                self._output_reparsed(fed, f"{reader} reading stdin")
                for heredoc in fed_heredocs + self.pending_heredocs[heredocs_before:]:
                    heredoc[3] = reader
            mine = [m for m in self.places if m not in known]
            fed = [*fed, *mine] if pipe else []
            fed_heredocs = [*fed_heredocs, *self.pending_heredocs[heredocs_before:]] if pipe else []
            known = set(self.places)
            heredocs_before = len(self.pending_heredocs)
            words = []

        while i < n:
            c = s[i]
            if close == ")" and c == ")" and case_state != "pattern":
                end_command()
                return i + 1
            if c in " \t":
                end_word()
                i += 1
            elif c == "\n":
                end_command()
                i = self._heredoc_bodies(i + 1, frame)
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
            elif c in "&|":
                pipe = c == "|" and not self.at(i, "||")
                end_command(pipe)
                i += 2 if self.at(i, c * 2) or self.at(i, "|&") else 1
            elif c in "<>":
                end_word()
                if self.at(i, "<(") or self.at(i, ">("):
                    word.started = True
                    word.cooked.append(EXPANSION)
                    i = self._sub(i + 2, ")", frame, word)
                    continue
                if self.at(i, "<<<"):
                    here_string = True
                    i += 3
                elif self.at(i, "<<"):
                    i = self._heredoc_operator(i)
                    continue
                else:
                    i += 1
                    while i < n and s[i] in "<>&|":
                        i += 1
                redirect_next = True
            elif c == "(":
                if not word.started and not words and self.at(i, "(("):
                    i = self._arith(i + 2, frame)
                    continue
                end_word()
                if case_state == "pattern":
                    i += 1
                    continue
                i = self.parse_list(i + 1, ")", frame)
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

    def simple_command(self, words: list[Word]) -> None:
        """A simple command's words are complete: values another shell parses again; `let`'s are arithmetic."""
        texts = [w.text for w in words]
        self._nested(words, texts)
        if texts and texts[0] == "let":
            for w in words[1:]:
                for m in w.markers:
                    self.places[m].integer = True

    def _word_at(self, i: int, text: str) -> bool:
        end = i + len(text)
        return self.s.startswith(text, i) and (end >= len(self.s) or self.s[end] in " \t\n;&|()")

    def _cond(self, cond: list[Word]) -> None:
        """In `[[ ... ]]`, operands of -eq, -lt, ... (and -v) are arithmetic in bash."""
        for k, w in enumerate(cond):
            if w.text in commands.ARITH_OPS:
                for neighbour in cond[max(k - 1, 0) : k + 2]:
                    for m in neighbour.markers:
                        self.places[m].integer = True

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
            return self._arith(i + 3, frame, word)
        if self.at(i, "$("):
            word.cooked.append(EXPANSION)
            return self._sub(i + 2, ")", frame, word)
        if s[i] == "`":
            word.cooked.append(EXPANSION)
            return self._backticks(i + 1, frame, word, quoted=quoted)
        if self.at(i, "${"):
            word.cooked.append(EXPANSION)
            return self._parameter(i + 2, word, frame, quoted=quoted)
        word.cooked.append("$")
        return i + 1

    def _sub(self, i: int, close: str, frame: dict[str, bool], word: Word) -> int:
        before = set(self.places)
        end = self.parse_list(i, close, {**frame, "arith": False})
        word.expanded_markers.extend(m for m in self.places if m not in before)
        return end

    def _backticks(self, i: int, frame: dict[str, bool], word: Word, *, quoted: bool) -> int:
        s = self.s
        j = i
        inner: list[str] = []
        while j < len(s) and s[j] != "`":
            if s[j] == "\\" and j + 1 < len(s) and (s[j + 1] in "$`\\" or (quoted and s[j + 1] == '"')):
                inner.append(s[j + 1])
                j += 2
                continue
            inner.append(s[j])
            j += 1
        sub = Tokenizer("".join(inner), self.places, self.level)
        before = set(self.places)
        in_bt = frame.get("bt", False)
        sub.parse_list(0, "", {**frame, "bt": True, "bt_dq": quoted or frame.get("bt_dq", False), "bt2": in_bt})
        word.expanded_markers.extend(m for m in self.places if m not in before)
        return j + 1

    def _arith(self, i: int, frame: dict[str, bool], word: Word | None = None) -> int:
        s = self.s
        depth = 0
        while i < len(s):
            c = s[i]
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0 and self.at(i, "))"):
                    return i + 2
                depth -= 1
            index = self._mark(c, "ARITH", frame)
            if index is not None and word is not None:
                word.expanded_markers.append(index)
            i += 1
        return i

    def _parameter(self, i: int, word: Word, frame: dict[str, bool], *, quoted: bool) -> int:
        """`${name[sub]op word}`: the subscript is arithmetic, the word is expanded like its surroundings."""
        s = self.s
        if self.at(i, "#") and not self.at(i, "#}"):
            i += 1  # ${#name}: its length
        if i < len(s) and s[i] in "@*?$!-#0123456789":
            i += 1
        else:
            while i < len(s) and (s[i].isalnum() or s[i] == "_") and marker_index(s[i]) is None:
                i += 1
        if i < len(s) and s[i] == "[":
            j = s.find("]", i)
            j = len(s) if j < 0 else j
            for ch in s[i + 1 : j]:
                index = self._mark(ch, "ARITH", frame)
                if index is not None:
                    word.expanded_markers.append(index)
            i = j + 1
        substring = self.at(i, ":") and not (i + 1 < len(s) and s[i + 1] in "-=?+")  # ${s:offset:length}: arithmetic
        inner = Word()
        kind: Kind = "QUOTED" if quoted else "WORD"
        while i < len(s) and s[i] != "}":
            c = s[i]
            if c in "'\"\\" and not quoted:
                i = self._word_part(i, inner, frame, "}")
            elif c == "\\" and i + 1 < len(s):
                i += 2
            elif c in "$`":
                i = self._expansion(i, inner, frame, quoted=quoted)
            else:
                self._direct(c, kind, frame, inner)
                i += 1
        word.expanded_markers.extend(inner.markers + inner.expanded_markers)
        for m in inner.markers + inner.expanded_markers if substring else ():
            self.places[m].integer = True
        return i + 1

    # -- heredocs ------------------------------------------------------------------------------------

    def _heredoc_operator(self, i: int) -> int:
        s = self.s
        i += 2
        strip = self.at(i, "-")
        if strip:
            i += 1
        while i < len(s) and s[i] in " \t":
            i += 1
        delimiter: list[str] = []
        quoted = False
        while i < len(s) and s[i] not in " \t\n;&|<>()":
            c = s[i]
            if c in "'\"":
                quoted = True
                j = s.find(c, i + 1)
                j = len(s) if j < 0 else j
                delimiter.append(s[i + 1 : j])
                i = j + 1
            elif c == "\\":
                quoted = True
                delimiter.append(s[i + 1 : i + 2])
                i += 2
            else:
                delimiter.append(c)
                i += 1
        text = "".join(delimiter)
        for ch in text:
            self._mark(ch, "UNKNOWN", {})
        self.pending_heredocs.append([text, quoted, strip, ""])
        return i

    def _heredoc_bodies(self, i: int, frame: dict[str, bool]) -> int:
        pending, self.pending_heredocs = self.pending_heredocs, []
        s = self.s
        for delimiter, quoted, strip, reader in pending:
            body: list[Word] = []
            while i < len(s):
                j = s.find("\n", i)
                j = len(s) if j < 0 else j
                line = s[i:j]
                if (line.lstrip("\t") if strip else line) == delimiter:
                    i = j + 1
                    break
                if quoted:
                    for ch in line:
                        self._mark(ch, "QUOTED_HEREDOC", frame)
                else:
                    body.append(self._heredoc_line(line, frame))
                i = j + 1
            if reader and body:  # `sh <<EOF`, `ssh host <<EOF`: the expanded body is a script
                script = Word(cooked=["\n".join(w.text for w in body)], markers=[m for w in body for m in w.markers])
                script.expanded_markers = [m for w in body for m in w.expanded_markers]
                self._reparse([script], f"{reader} reading a heredoc")
        return i

    def _heredoc_line(self, line: str, frame: dict[str, bool]) -> Word:
        """One line of an unquoted heredoc: expanded like the inside of "...", but a `"` is just a character."""
        sub = Tokenizer(line, self.places, self.level)
        word = Word()
        k = 0
        while k < len(line):
            c = line[k]
            if c == "\\" and k + 1 < len(line) and line[k + 1] in "$`\\":
                word.cooked.append(line[k + 1])
                k += 2
            elif c in "$`":
                k = sub._expansion(k, word, frame, quoted=True)
            else:
                word.cooked.append(c)
                sub._direct(c, "QUOTED", frame, word)
                k += 1
        return word

    # -- nested shells ------------------------------------------------------------------------------

    def _nested(self, words: list[Word], texts: list[str]) -> None:
        """Words another shell parses again: mark their values one level deeper; names bash evaluates: integers only."""
        if not any(w.markers or w.expanded_markers for w in words):
            return  # no value in this command
        if commands.names_none(texts):
            return  # no shell, wrapper or name-reading builtin among the words
        for indexes, by in commands.scripts(texts):
            self._reparse([words[k] for k in indexes], by)
        for k, by in commands.script_files(texts):
            self._output_reparsed(words[k].expanded_markers, f"{by} running it as a script")
        for k, by in commands.program_code(texts):
            for m in words[k].markers + words[k].expanded_markers:
                self.places[m].code_of = by
        for k in commands.naming_arguments(texts):
            text = words[k].text
            equals = text.find("=")
            for m in words[k].markers:
                if equals < 0 or text.index(marker(m)) < equals:
                    self.places[m].integer = True

    def _reparse(self, script: list[Word], by: str) -> None:
        for w in script:
            self._output_reparsed(w.expanded_markers, by)
        text = " ".join(w.text for w in script)
        if not has_markers(text):
            return
        for w in script:
            for m in w.markers:
                place = self.places[m]
                place.levels = max(place.levels, self.level + 1)
                place.by = place.by or by
        Tokenizer(text, self.places, self.level + 1).parse_list(0, "", {})

    def _output_reparsed(self, markers: list[int], by: str) -> None:
        """Values inside an expansion (or a command) whose output a shell parses: never safe to quote for it."""
        for m in markers:
            self.places[m].reparsed_output = True
            self.places[m].by = self.places[m].by or by
