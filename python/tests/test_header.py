"""The numbers weightinit.h states, read from its text, against the loaded
library and against the package's own copy of them (weightinit._library
mirrors the header for ctypes): ABI version, the stream format ABI 1.0
ships with, status codes and names, dtype and layout values, the largest
rank and the size of weightinit_scheme."""
import ctypes
import re

import pytest

import weightinit
from weightinit import _library as L

from conftest import ROOT

HEADER = (ROOT / "Sources/CWeightInit/include/weightinit.h").read_text(encoding="utf-8")
# The comments' prose as one line (a sentence may wrap onto a " *  " line).
PROSE = re.sub(r"\s*\n\s*\*\s*", " ", HEADER)


def enum(name):
    body = re.search(r"typedef enum %s \{(.*?)\}" % name, HEADER, re.S)
    assert body, "weightinit.h declares no enum %s" % name
    return {key: int(value) for key, value in re.findall(r"(WEIGHTINIT_[A-Z0-9_]+) = (\d+)", body.group(1))}


def define(name):
    found = re.findall(r"^#define %s (\d+)$" % name, HEADER, re.M)
    assert len(found) == 1, "weightinit.h defines %s %d times" % (name, len(found))
    return int(found[0])


@pytest.fixture(scope="module")
def library():
    return L.load()[0]


def test_abi_version(library):
    major, minor = define("WEIGHTINIT_ABI_VERSION_MAJOR"), define("WEIGHTINIT_ABI_VERSION_MINOR")
    assert library.weightinit_abi_version() == major * 10000 + minor
    assert weightinit.abi_version() == (major, minor)
    assert (L.ABI_MAJOR, L.ABI_MINOR) == (major, minor)
    assert "libweightinit.so.%d" % major in HEADER


def test_stream_format_is_the_one_the_header_states(library):
    stated = {int(n) for n in re.findall(r"ships with stream(?: format)? (\d+)", PROSE)}
    assert stated == {library.weightinit_stream_format_version()}, "weightinit.h states %s" % sorted(stated)
    assert "today" not in PROSE


def test_status_codes_and_names(library):
    statuses = enum("weightinit_status")
    assert sorted(statuses.values()) == list(range(len(statuses)))
    for name, value in statuses.items():
        assert library.weightinit_status_name(value).decode() == name
        if value != 0:
            assert L.STATUS_NAMES[value] == name
    assert set(L.STATUS_NAMES) == set(statuses.values()) - {0} and L.OK == 0
    assert L.FAILURE == statuses["WEIGHTINIT_ERROR_FAILURE"]
    for value in (-1, len(statuses), 1000):
        assert library.weightinit_status_name(value) == b"WEIGHTINIT_UNKNOWN_STATUS"


def test_dtype_and_layout_values():
    assert enum("weightinit_dtype") == {"WEIGHTINIT_F32": L.F32, "WEIGHTINIT_F64": L.F64, "WEIGHTINIT_F16": L.F16,
                                        "WEIGHTINIT_BF16": L.BF16}
    assert enum("weightinit_layout") == {"WEIGHTINIT_LAYOUT_TORCH": L.LAYOUT_TORCH, "WEIGHTINIT_LAYOUT_KERAS":
                                         L.LAYOUT_KERAS, "WEIGHTINIT_LAYOUT_AXES": L.LAYOUT_AXES}
    assert define("WEIGHTINIT_MAX_RANK") == L.MAX_RANK


def test_scheme_struct():
    fields = re.search(r"typedef struct weightinit_scheme \{(.*?)\} weightinit_scheme;", HEADER, re.S).group(1)
    declared = re.findall(r"(uint32_t|uint64_t) (\w+)(?:\[(\d+)\])?;", fields)
    sizes = {"uint32_t": 4, "uint64_t": 8}
    assert [(name, sizes[kind] * int(count or 1)) for kind, name, count in declared] == [
        (name, ctypes.sizeof(kind)) for name, kind in L.Scheme._fields_]
    assert ctypes.sizeof(L.Scheme) == 256
