"""Every value the public functions hand to C is checked first: text is a
str without NUL (C would read only what comes before it), integers fit the
C type (ctypes would wrap them silently), numbers are numbers (not bool, not
str, not bytes) — each a TypeError or ValueError naming the argument, with
nothing written. And every message, the library's or Python's own, is safe
to print: the caller's text shows only as visible escapes, clipped."""
import fractions
import inspect
import re

import numpy as np
import pytest

import weightinit
from weightinit import init


def sentinel(shape=(4, 6), dtype=np.float32):
    return np.full(shape, 7, dtype=dtype)


def unchanged(array):
    return bool((array == 7).all())


# The characters a terminal acts on (weightinit.h, weightinit_last_error), and lone surrogates.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def safe(message):
    return UNSAFE.search(message) is None


# ---- NUL characters: C would read the text only up to them ---------------------

NUL_CALLS = [
    ("fill scheme", lambda t: weightinit.fill(t, "normal --std 1\x00 --std 1000"), "scheme"),
    ("kaiming mode", lambda t: init.kaiming_normal_(t, mode="fan_in\x00"), "mode"),
    ("kaiming nonlinearity", lambda t: init.kaiming_uniform_(t, nonlinearity="relu\x00"), "nonlinearity"),
    ("orthogonal method", lambda t: init.orthogonal_(t, method="qr\x00"), "method"),
    ("variance_scaling distribution", lambda t: init.variance_scaling_(t, distribution="uniform\x00"), "distribution"),
    ("variance_scaling mode", lambda t: init.variance_scaling_(t, mode="fan_out\x00x"), "mode"),
]


@pytest.mark.parametrize("index", range(len(NUL_CALLS)), ids=[c[0] for c in NUL_CALLS])
def test_nul_in_text_is_refused(index):
    _, call, name = NUL_CALLS[index]
    array = sentinel()
    with pytest.raises(ValueError, match="^%s .*NUL" % name):
        call(array)
    assert unchanged(array)


def test_nul_in_a_name_or_description_is_refused():
    with pytest.raises(ValueError, match="^name .*NUL"):
        weightinit.name_stream("a\x00b")
    with pytest.raises(ValueError, match="^text .*NUL"):
        weightinit.describe("normal\x00 --std 2")
    # Without the NUL the name is its own: "a\0b" no longer passes for "a".
    assert weightinit.name_stream("ab") != weightinit.name_stream("a")


def test_lone_surrogate_is_a_value_error_naming_the_argument():
    array = sentinel()
    with pytest.raises(ValueError, match="^scheme .*surrogate"):
        weightinit.fill(array, "normal --std \ud800")
    with pytest.raises(ValueError, match="^mode .*surrogate"):
        init.kaiming_normal_(array, mode="fan\udc80in")
    with pytest.raises(ValueError, match="^name .*surrogate"):
        weightinit.name_stream("w\ud800")
    assert unchanged(array)


# ---- Integers beyond what C takes: ctypes wraps them silently -------------------

BIG = 1 << 64

WRAPPING = [
    # Each of these wrapped to a valid call on the C side (2^64 + n → n) and filled.
    ("shard index", lambda t: init.normal_(t, shard=(BIG, 1, 0), full_shape=(4, 6)), "shard's index"),
    ("shard count", lambda t: init.normal_(t, shard=(0, BIG + 1, 0), full_shape=(4, 6)), "shard's count"),
    ("full_shape of the shard dim", lambda t: init.normal_(t, shard=(0, 2, 0), full_shape=(BIG + 8, 6)), r"full_shape\[0\]"),
    ("layout axes", lambda t: init.xavier_normal_(t, layout=(BIG + 1, BIG)), "in_axis of layout"),
    ("layout out axis", lambda t: init.xavier_normal_(t, layout=(1, -BIG)), "out_axis of layout"),
    ("shard dim", lambda t: init.normal_(t, shard=(0, 1, BIG), full_shape=(4, 6)), "shard's dim"),
    ("groups", lambda t: init.dirac_(t.reshape(4, 6, 1), groups=BIG + 1), "groups"),
    ("blocks", lambda t: init.orthogonal_(t, blocks=BIG + 2), "blocks"),
]


@pytest.mark.parametrize("index", range(len(WRAPPING)), ids=[c[0] for c in WRAPPING])
def test_integers_outside_int64_are_value_errors(index):
    _, call, name = WRAPPING[index]
    array = sentinel()
    with pytest.raises(ValueError, match="^%s must be an int in −2\\^63 … 2\\^63 − 1" % name):
        call(array)
    assert unchanged(array)


def test_shard_range_refuses_what_int64_cannot_hold():
    for arguments, name in [((BIG, 4, 10), "index"), ((1, BIG + 4, 10), "count"), ((0, 1, BIG + 10), "length"),
                            ((-(1 << 63) - 1, 4, 10), "index")]:
        with pytest.raises(ValueError, match="^%s must be an int in −2\\^63" % name):
            weightinit.shard_range(*arguments)
    # Inside the range, the library judges (and numpy integers are integers).
    assert weightinit.shard_range(np.int64(1), np.uint8(4), 10) == (2, 4)
    with pytest.raises(weightinit.WeightInitValueError):
        weightinit.shard_range(0, (1 << 63) - 1, 10)


def test_huge_ints_are_shown_by_their_size():
    with pytest.raises(ValueError, match="an int of 70001 bits"):
        init.normal_(sentinel(), seed=1 << 70000)


# ---- Numbers, integers and text of every public function -------------------------

# A value that works, per parameter without a default.
REQUIRED = {"val": 0.5, "sparsity": 0.5}
# Parameters whose default is None but that take a value of a kind.
NUMBER_OR_NONE = {"a"}  # kaiming's negative slope: None means the default slope, as torch's calculate_gain


def parameters():
    """(function name, parameter, kind) for every positional parameter of weightinit.init's
    functions and the keyword-only ones they share: kind is number, integer or text."""
    out = []
    for name in (n for n in init.__all__ if n.endswith("_")):  # the fills (calculate_gain: test_api)
        for p in inspect.signature(getattr(init, name)).parameters.values():
            if p.name == "tensor" or p.name in ("shard", "full_shape", "layout"):
                continue
            default = REQUIRED.get(p.name, p.default)
            if p.name in ("seed", "stream", "threads", "groups", "blocks"):
                kind = "integer"
            elif isinstance(default, str):
                kind = "text"
            else:
                kind = "number"
            out.append((name, p.name, kind))
    return out


PARAMETERS = parameters()
SHAPES = {"dirac_": (4, 6, 1), "delta_orthogonal_": (6, 4, 1), "eye_": (4, 6)}

BAD = {
    "number": [(True, TypeError), ("0.5", TypeError), (b"1", TypeError), (None, TypeError), ([0.5], TypeError),
               (1 + 2j, TypeError), (np.bool_(True), TypeError), (10 ** 400, ValueError)],
    "integer": [(True, TypeError), ("2", TypeError), (b"2", TypeError), (2.0, TypeError), (np.float64(2), TypeError),
                (np.bool_(True), TypeError), (1 << 64 << 64, ValueError)],
    "text": [(b"fan_in", TypeError), (None, TypeError), (1, TypeError), (["fan_in"], TypeError),
             ("fan_in\x00", ValueError)],
}


def call(function, parameter, value):
    kwargs = {k: v for k, v in REQUIRED.items() if k in inspect.signature(getattr(init, function)).parameters}
    kwargs[parameter] = value
    array = sentinel(SHAPES.get(function, (4, 6)))
    return array, lambda: getattr(init, function)(array, **kwargs)


CASES = [(f, p, kind, value, error) for f, p, kind in PARAMETERS for value, error in BAD[kind]
         if not (value is None and p in NUMBER_OR_NONE) and not (value is None and p == "threads")]


@pytest.mark.parametrize("index", range(len(CASES)),
                         ids=["%s-%s-%s" % (c[0], c[1], ascii(c[3])[:12]) for c in CASES])
def test_every_parameter_refuses_the_wrong_kind(index):
    function, parameter, kind, value, error = CASES[index]
    array, run = call(function, parameter, value)
    with pytest.raises(error) as raised:
        run()
    assert raised.type is not weightinit.WeightInitValueError, "refused by the library, not by the check"
    assert str(raised.value).startswith(parameter + " "), "the message names %s: %s" % (parameter, raised.value)
    assert unchanged(array)


def test_every_public_parameter_is_covered():
    covered = {(f, p) for f, p, _, _, _ in CASES}
    assert len(covered) == len(PARAMETERS)
    assert {"std", "mean", "a", "b", "gain", "val", "sparsity", "scale", "groups", "blocks", "mode",
            "nonlinearity", "method", "distribution", "seed", "stream", "threads"} <= {p for _, p in covered}


@pytest.mark.parametrize("value", [0.5, 1, np.float32(0.5), np.float16(0.5), np.float64(0.5), np.int64(1),
                                   np.uint8(1), fractions.Fraction(1, 2)], ids=repr)
def test_numbers_of_every_numeric_kind_fill_as_their_float(value):
    a = init.normal_(sentinel(), std=value, seed=3)
    b = init.normal_(sentinel(), std=float(value), seed=3)
    assert a.tobytes() == b.tobytes()


def test_integers_of_every_integer_kind_are_taken():
    expected = init.orthogonal_(sentinel((8, 4)), blocks=2, seed=5, stream=1, threads=1)
    got = init.orthogonal_(sentinel((8, 4)), blocks=np.int16(2), seed=np.uint64(5), stream=np.int8(1),
                           threads=np.int64(1))
    assert got.tobytes() == expected.tobytes()


KEYWORDS = [
    (dict(seed=True), TypeError, "seed must be an int, not bool"),
    (dict(stream=np.bool_(False)), TypeError, "stream must be an int"),
    (dict(threads=True), TypeError, "threads must be an int, not bool"),
    (dict(threads=1 << 31), ValueError, "threads must be an int in 1 … 2\\^31 − 1"),
    (dict(layout=b"torch"), TypeError, "layout must be"),
    (dict(layout=None), TypeError, "layout must be"),
    (dict(layout=(0, 1, 2)), ValueError, "layout must be"),
    (dict(layout=(0, True)), TypeError, "out_axis of layout must be an int, not bool"),
    (dict(shard=(0, True, 0), full_shape=(4, 6)), TypeError, "shard's count must be an int, not bool"),
    (dict(shard=(0, 1, 0), full_shape=(4.0, 6)), TypeError, r"full_shape\[0\] must be an int, not float"),
    (dict(shard=(0, 1), full_shape=(4, 6)), TypeError, r"shard must be \(index, count, dim\)"),
]


@pytest.mark.parametrize("index", range(len(KEYWORDS)), ids=[str(k[0]) for k in KEYWORDS])
def test_keyword_arguments_refuse_the_wrong_kind(index):
    kwargs, error, message = KEYWORDS[index]
    array = sentinel()
    with pytest.raises(error, match=message):
        init.normal_(array, **kwargs)
    assert unchanged(array)


@pytest.mark.parametrize("value", [b"normal", None, ["normal"], 3])
def test_scheme_text_and_names_must_be_str(value):
    array = sentinel()
    with pytest.raises(TypeError, match="^scheme must be a str, not"):
        weightinit.fill(array, value)
    with pytest.raises(TypeError, match="^text must be a str, not"):
        weightinit.describe(value)
    with pytest.raises(TypeError, match="^name must be a str, not"):
        weightinit.name_stream(value)
    assert unchanged(array)


# ---- Messages are safe to print -------------------------------------------------

def test_library_messages_reach_python_escaped():
    array = sentinel()
    with pytest.raises(weightinit.WeightInitValueError) as raised:
        weightinit.fill(array, "normal --std \x1b[31m1")
    message = str(raised.value)
    assert safe(message) and "\\u{1B}[31m1" in message, message
    with pytest.raises(weightinit.WeightInitValueError) as raised:
        weightinit.fill(array, "normal --std " + "\u2069" * 5000)
    message = str(raised.value)
    assert safe(message) and message.endswith(" characters)") and len(message) < 8 * 2000 + 40, message[-80:]
    assert unchanged(array)


class Hostile:
    """A value whose repr and type name a terminal would act on, and whose repr is long."""

    def __repr__(self):
        return "\x1b]0;owned\x07\x1b[2J" + "\u202e" * 10000


Hostile.__name__ = "\x1b[31mHostile\u2028"


@pytest.mark.parametrize("call", [
    lambda t: init.normal_(t, std=Hostile()),
    lambda t: init.normal_(Hostile()),
    lambda t: init.kaiming_normal_(t, mode=Hostile()),
    lambda t: init.kaiming_normal_(t, mode=" \x1b[2J" + "x" * 100000),
    lambda t: init.normal_(t, seed=Hostile()),
    lambda t: init.normal_(t, layout="\x1b[2J" * 1000),
    lambda t: init.normal_(t, layout=Hostile()),
    lambda t: init.normal_(t, shard=(0, 1, 0), full_shape=(4,) * 5000),
    lambda t: weightinit.fill(t, Hostile()),
    lambda t: weightinit.fill(t, "normal\x00\x1b[2J"),
])
def test_python_messages_escape_and_clip_the_callers_values(call):
    array = sentinel()
    with pytest.raises((TypeError, ValueError)) as raised:
        call(array)
    message = str(raised.value)
    assert safe(message), ascii(message)
    assert len(message) < 400, "%d characters: %s" % (len(message), ascii(message[:200]))
    assert unchanged(array)


def test_python_escapes_as_the_library_does():
    from weightinit import _text
    # The library stores its messages escaped (TerminalText); the Python
    # escaper must write the same escape for the same character. (Line
    # breaks and tabs split scheme text into words, so they reach no message
    # from here; NUL is refused before C.)
    for character in ["\x01", "\x1b", "\x1f", "\x7f", "\x80", "\x9b", "\x9f", "\u061c", "\u200e", "\u200f",
                      "\u202a", "\u202e", "\u2066", "\u2069", "\\", "é", "ß", "\u200d", "\U0001F600"]:
        name = "no-such-" + character + "-scheme"
        with pytest.raises(weightinit.WeightInitValueError) as raised:
            weightinit.fill(sentinel(), name)
        assert _text.escaped(name) in str(raised.value), (ascii(character), str(raised.value)[:120])
    assert [_text.escaped(c) for c in "\x00\n\r\t\x0b\x85\u2028\u2029"] == [
        "\\u{0}", "\\n", "\\r", "\\t", "\\u{B}", "\\u{85}", "\\u{2028}", "\\u{2029}"]
    assert _text.escaped("x" * 90, 80) == "x" * 80 + "…(90 characters)"
    assert _text.escaped("\\u{1B}") == "\\u{1B}"  # backslashes are kept: escaping twice changes nothing


def test_library_not_found_message_escapes_the_path(monkeypatch):
    from weightinit import _library
    monkeypatch.setenv("WEIGHTINIT_LIBRARY", "/nonexistent/\x1b]0;owned\x07/libweightinit.so")
    monkeypatch.setattr(_library, "_loaded", None)
    with pytest.raises(weightinit.LibraryNotFoundError) as raised:
        _library.load()
    assert safe(str(raised.value)) and "\\u{1B}]0;owned\\u{7}" in str(raised.value)
