"""`${...}` expansions for the shell tokenizer (`shell_context`): `${name}`, `${#name}`, `${!name}`, `${a[SUB]}`,
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
