"""`${...}`, `$((...))` and backtick expansions for the shell tokenizer (`shell_context`): `${name}`, `${#name}`, `${!name}`, `${a[SUB]}`,
`${s:offset:length}`, `${x:-word}` and the patterns of `"${s#PAT}"`, `"${s/PAT/REP}"`.

A subscript and a substring's offset and length are arithmetic (bash evaluates them: `a[$(cmd)]` runs cmd), an
indirect `${!name}` reads a name, `${name@P}` expands a prompt; the word of `${x:-word}` is expanded like its
surroundings, and a pattern in "..." is a pattern unless quoted there too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runbook_tui.runbook.shell_places import Kind, Word, marker_index

if TYPE_CHECKING:
    from runbook_tui.runbook.shell_context import Tokenizer


def expansion(tok: Tokenizer, i: int, word: Word, frame: dict[str, bool], *, quoted: bool) -> int:
    """`${name[sub]op word}`: the subscript is arithmetic, the word is expanded like its surroundings."""
    s = tok.s
    length = tok.at(i, "#") and not tok.at(i, "#}")
    if length:
        i += 1  # ${#name}: its length
    indirect = tok.at(i, "!") and i + 1 < len(s) and (s[i + 1].isalpha() or s[i + 1] == "_")
    if indirect:
        i += 1  # ${!name}: the variable name's text names
    start = i
    if i < len(s) and s[i] in "@*?$!-#0123456789":
        i += 1
    else:
        while i < len(s) and (s[i].isalnum() or s[i] == "_") and marker_index(s[i]) is None:
            i += 1
    if indirect:
        tok.flow.arithmetic.add(s[start:i])  # a name with a subscript: `a[$(cmd)]` runs cmd
    elif not length and i > start:
        tok._ref(s[start:i], word)
        if tok.at(i, "@P"):
            tok.flow.prompt.add(s[start:i])
    if i < len(s) and s[i] == "[":
        j = s.find("]", i)
        j = len(s) if j < 0 else j
        tok.flow.arithmetic_text(s[i + 1 : j])
        for ch in s[i + 1 : j]:
            index = tok._mark(ch, "ARITH", frame)
            if index is not None:
                word.expanded_markers.append(index)
        i = j + 1
    substring = tok.at(i, ":") and not (i + 1 < len(s) and s[i + 1] in "-=?+")  # ${s:offset:length}: arithmetic
    inner = Word()
    inner_start = i
    kind: Kind = "QUOTED" if quoted else "WORD"
    # "${s#PAT}", "${s/PAT/REP}", "${s^PAT}": a pattern (and, in bash 5.2, a replacement's `&`) unless quoted there too
    pattern = quoted and i < len(s) and s[i] in "#%/^,"
    inside = False  # within a "..." of its own
    while i < len(s) and s[i] != "}":
        c = s[i]
        if c in "'\"\\" and not quoted:
            i = tok._word_part(i, inner, frame, "}")
        elif c == "\\" and i + 1 < len(s):
            i += 2
        elif c in "$`":
            i = tok._expansion(i, inner, {**frame, "bt_brace": True} if quoted and c == "`" else frame, quoted=quoted)
        else:
            inside = inside != (c == '"')
            tok._direct(c, "PATTERN" if pattern and not inside else kind, {**frame, "brace": True, "brace_q": inside} if quoted else frame, inner)
            i += 1
    word.expanded_markers.extend(inner.markers + inner.expanded_markers)
    word.refs.extend(inner.refs)
    if inner.substitutions:  # `${E:-$(command -v bash)}`: what it gives may be what the substitution prints
        word.substitutions.append(len(word.cooked) - 1)
    if substring:
        tok.flow.arithmetic_text(s[inner_start:i])
        tok.flow.arithmetic.update(inner.refs)
    for m in inner.markers + inner.expanded_markers if substring else ():
        tok.places[m].integer = True
    return i + 1


def arithmetic(tok: Tokenizer, i: int, frame: dict[str, bool], word: Word | None = None, close: str = "))") -> int:
    """`$((...))`, `((...))`, `$[...]` from `i` (after the opening) to `close`: every value there takes integers only,
    and the names it reads are arithmetic's (`shell_flow`); returns the index after `close`."""
    s = tok.s
    start = i
    depth = 0
    opening, closing = ("[", "]") if close == "]" else ("(", ")")
    while i < len(s):
        c = s[i]
        if c == opening:
            depth += 1
        elif c == closing:
            if depth == 0 and tok.at(i, close):
                break
            depth -= 1
        index = tok._mark(c, "ARITH", frame)
        if index is not None and word is not None:
            word.expanded_markers.append(index)
        i += 1
    tok.flow.arithmetic_text(s[start:i])
    return i + len(close) if i < len(s) else i


def backticks(tok: Tokenizer, i: int, frame: dict[str, bool], word: Word, *, quoted: bool) -> int:
    """`` `...` `` from `i` (after the opening backtick): its text, unescaped as the shell does (`\\"` too in "..."), read
    as a command list of its own; returns the index after the closing backtick."""
    s = tok.s
    j = i
    inner: list[str] = []
    while j < len(s) and s[j] != "`":
        if s[j] == "\\" and j + 1 < len(s) and (s[j + 1] in "$`\\" or (quoted and s[j + 1] == '"')):
            inner.append(s[j + 1])
            j += 2
            continue
        inner.append(s[j])
        j += 1
    sub = type(tok)("".join(inner), tok.places, tok.level, tok.flow)
    before = set(tok.places)
    seen = len(tok.flow.seen)
    in_bt = frame.get("bt", False)
    in_heredoc = (quoted and frame.get("hd", False)) or frame.get("bt_hd", False)  # `hd`: an unquoted heredoc's body
    sub.parse_list(0, "", {**frame, "bt": True, "bt_dq": quoted or frame.get("bt_dq", False), "bt2": in_bt, "bt_hd": in_heredoc, "hd": False})
    word.expanded_markers.extend(m for m in tok.places if m not in before)
    word.refs.extend(tok.flow.seen[seen:])
    return j + 1
