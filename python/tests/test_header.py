"""The numbers weightinit.h states, read from its text, against the loaded
library and against the few the package must hold for ctypes (dtype and
layout values, the largest rank, the size of weightinit_scheme, the ABI it
requires): ABI version, the stream format ABI 1.0 ships with, status codes
and names (asked of the library, never copied), the package's version."""
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
    """The names come from the library (weightinit.status_name), and they are the header's."""
    statuses = enum("weightinit_status")
    assert sorted(statuses.values()) == list(range(len(statuses)))
    for name, value in statuses.items():
        assert library.weightinit_status_name(value).decode() == name
        assert weightinit.status_name(value) == name
    assert L.OK == statuses["WEIGHTINIT_OK"]
    for value in (-1, len(statuses), 1000):
        assert library.weightinit_status_name(value) == b"WEIGHTINIT_UNKNOWN_STATUS"
        assert weightinit.status_name(value) == "WEIGHTINIT_UNKNOWN_STATUS"
    assert not hasattr(L, "STATUS_NAMES"), "the package keeps no copy of the header's status names"


def test_errors_carry_the_librarys_status_name():
    import numpy as np

    with pytest.raises(weightinit.WeightInitValueError) as raised:
        weightinit.fill(np.empty(4, np.float32), "normal --std -1")
    assert raised.value.status == weightinit.status_name(enum("weightinit_status")["WEIGHTINIT_ERROR_INVALID_PARAMETER"])


def test_versions_come_from_the_library_and_the_header(library):
    major, minor = define("WEIGHTINIT_ABI_VERSION_MAJOR"), define("WEIGHTINIT_ABI_VERSION_MINOR")
    assert weightinit.__version__ == "%d.%d.0" % (major, minor)
    assert weightinit.stream_format_version() == library.weightinit_stream_format_version()


def test_dtype_and_layout_values():
    assert enum("weightinit_dtype") == {"WEIGHTINIT_F32": L.F32, "WEIGHTINIT_F64": L.F64, "WEIGHTINIT_F16": L.F16,
                                        "WEIGHTINIT_BF16": L.BF16, "WEIGHTINIT_I64": L.I64, "WEIGHTINIT_I32": L.I32,
                                        "WEIGHTINIT_U8": L.U8, "WEIGHTINIT_BOOL": L.BOOL,
                                        "WEIGHTINIT_DTYPE_DEFAULT": L.DTYPE_DEFAULT}
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
