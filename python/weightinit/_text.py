"""The caller's values as exception messages show them: escaped and clipped
as the library's TerminalText (Sources/WeightInit/TerminalText.swift) does
for the CLI's error line and for weightinit_last_error().

A value can hold anything — a str with ESC or a right-to-left override, an
object whose repr is 10 000 characters — and a message is printed on a
terminal or into a log. So every message this package builds from a
caller's value shows it through `shown` or `type_name`: the characters a
terminal acts on (C0 and C1 controls, DEL, bidirectional marks, line and
paragraph separators) written as visible escapes (\\n, \\r, \\t, else
\\u{1B}), and only the first VALUE_LIMIT characters kept, followed by
"…(N characters)". The library's own messages arrive escaped and clipped
already (weightinit.h, weightinit_last_error) and are passed on as they are.
"""
import re

# TerminalText.valueLimit and TerminalText.lineLimit.
VALUE_LIMIT = 80
LINE_LIMIT = 2000

# TerminalText.isUnsafe, plus the lone surrogates a Python str can hold (a
# Swift string cannot): they are not text a terminal can show.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match):
    character = match.group()
    return _NAMED.get(character) or "\\u{%X}" % ord(character)


def escaped(text, limit=None):
    """`text` with every unsafe character written as an escape and, if it has
    more than `limit` characters, only the first `limit` followed by
    "…(N characters)" — TerminalText.escaped(_:limit:)."""
    clipped = text if limit is None or len(text) <= limit else text[:limit]
    out = _UNSAFE.sub(_escape, clipped)
    if clipped is not text:
        out += "…(%d characters)" % len(text)
    return out


def shown(value, limit=VALUE_LIMIT):
    """repr(value), escaped and clipped: how a message names a value it did not choose."""
    if isinstance(value, int) and value.bit_length() > 14000:
        # repr refuses ints of more than 4300 digits (sys.get_int_max_str_digits).
        return "an int of %d bits" % value.bit_length()
    try:
        text = repr(value)
    except Exception:  # a repr that fails is the caller's, not a reason to lose the message
        return "a %s" % type_name(value)
    return escaped(text if isinstance(text, str) else "?", limit)


def type_name(value):
    """The name of value's type, escaped and clipped (a class may be named anything)."""
    return escaped(str(type(value).__name__), VALUE_LIMIT)
