"""The runbook model: load YAML with line marks, schema, params, templating, validate, plan. Pure: no I/O beyond reading the file.

Importing PyYAML compiles `yaml.reader.Reader.NON_PRINTABLE`, a negated character set
over all of Unicode that costs `re` 10-30 ms to compile in every process (more than any
module of ours), for the pure-Python reader that our libyaml-based loading never uses.
The same set written positively (the characters it matches) compiles in under a
millisecond; it is put in `re`'s cache under PyYAML's pattern first, so PyYAML's
`re.compile` finds it, and compiled only if PyYAML's reader ever reads (`lazy_re`: ours
reads with libyaml). A test checks both match exactly the same characters. Where `re`
keeps its cache otherwise, or PyYAML's pattern changes, PyYAML compiles its own.
"""

import re

from runbook_tui.runbook import lazy_re

#: PyYAML's pattern (yaml/reader.py) and the same set of characters written as the ones it matches.
YAML_NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
NON_PRINTABLE_LISTED = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"

if isinstance(getattr(re, "_cache", None), dict):
    re._cache.setdefault((str, YAML_NON_PRINTABLE, 0), lazy_re.compile(NON_PRINTABLE_LISTED))  # type: ignore[attr-defined]
