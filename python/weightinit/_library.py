"""Finding and loading libweightinit, and its C declarations for ctypes.

The declarations mirror Sources/CWeightInit/include/weightinit.h (ABI 1).
"""
import ctypes
import os
import pathlib
import shutil
import subprocess
import sys
import threading

from ._text import escaped

ABI_MAJOR = 1
ABI_MINOR = 0

# weightinit_status values (weightinit.h).
OK = 0
STATUS_NAMES = {
    1: "WEIGHTINIT_ERROR_NULL_POINTER",
    2: "WEIGHTINIT_ERROR_INVALID_ENUM",
    3: "WEIGHTINIT_ERROR_INVALID_ARGUMENT",
    4: "WEIGHTINIT_ERROR_INVALID_SCHEME",
    5: "WEIGHTINIT_ERROR_INVALID_PARAMETER",
    6: "WEIGHTINIT_ERROR_INVALID_SHAPE",
    7: "WEIGHTINIT_ERROR_TOO_LARGE",
    8: "WEIGHTINIT_ERROR_SIZE_MISMATCH",
    9: "WEIGHTINIT_ERROR_INVALID_REGION",
    10: "WEIGHTINIT_ERROR_BUFFER_TOO_SMALL",
    11: "WEIGHTINIT_ERROR_FAILURE",
}
FAILURE = 11

# weightinit_dtype and weightinit_layout values.
F32, F64, F16, BF16 = 0, 1, 2, 3
LAYOUT_TORCH, LAYOUT_KERAS, LAYOUT_AXES = 0, 1, 2
MAX_RANK = 64


class Scheme(ctypes.Structure):
    """weightinit_scheme: 256 bytes, filled by weightinit_scheme_parse."""

    _fields_ = [("size", ctypes.c_uint32), ("version", ctypes.c_uint32), ("opaque", ctypes.c_uint64 * 31)]


assert ctypes.sizeof(Scheme) == 256

_c_int64_p = ctypes.POINTER(ctypes.c_int64)
_SIGNATURES = {
    "weightinit_abi_version": (ctypes.c_uint32, []),
    "weightinit_stream_format_version": (ctypes.c_uint32, []),
    "weightinit_status_name": (ctypes.c_char_p, [ctypes.c_int]),
    "weightinit_last_error": (ctypes.c_char_p, []),
    "weightinit_scheme_parse": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(Scheme)]),
    "weightinit_scheme_describe": (
        ctypes.c_int,
        [ctypes.POINTER(Scheme), ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)],
    ),
    "weightinit_fill": (
        ctypes.c_int,
        [
            ctypes.POINTER(Scheme), ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_size_t, _c_int64_p,
            ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_int32,
        ],
    ),
    "weightinit_fill_region": (
        ctypes.c_int,
        [
            ctypes.POINTER(Scheme), ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_size_t, _c_int64_p,
            _c_int64_p, _c_int64_p, ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint64, ctypes.c_uint32,
            ctypes.c_int32,
        ],
    ),
    "weightinit_shard_range": (
        ctypes.c_int, [ctypes.c_int64, ctypes.c_int64, ctypes.c_int64, _c_int64_p, _c_int64_p],
    ),
    "weightinit_name_stream": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint32)]),
}


class LibraryNotFoundError(OSError):
    """libweightinit could not be loaded; the message lists where it was looked for."""


def candidates():
    """Where the library is looked for, in order.

    1. $WEIGHTINIT_LIBRARY, if set (then nothing else).
    2. The build tree this package sits in (python/ of the repository):
       .build/release or .build/debug, the newer first.
    3. An installed libweightinit.so.1: under sys.prefix/lib (`make install
       PREFIX=$VIRTUAL_ENV`), where the dynamic loader looks (LD_LIBRARY_PATH,
       ld.so.cache), pkg-config's libdir for weightinit, /usr/local/lib and
       ~/.local/lib.
    """
    override = os.environ.get("WEIGHTINIT_LIBRARY")
    if override:
        return [override]
    found = []
    root = pathlib.Path(__file__).resolve().parent.parent.parent
    builds = [root / ".build" / c / "libWeightInitC.so" for c in ("release", "debug")]
    builds = sorted((p for p in builds if p.exists()), key=lambda p: p.stat().st_mtime, reverse=True)
    found += [str(p) for p in builds]
    name = "libweightinit.so.%d" % ABI_MAJOR
    found.append(os.path.join(sys.prefix, "lib", name))
    found.append(name)  # the dynamic loader's own search
    libdir = _pkg_config_libdir()
    if libdir:
        found.append(os.path.join(libdir, name))
    found += [os.path.join("/usr/local/lib", name), os.path.expanduser(os.path.join("~/.local/lib", name))]
    return found


def _pkg_config_libdir():
    if shutil.which("pkg-config") is None:
        return None
    try:
        out = subprocess.run(["pkg-config", "--variable=libdir", "weightinit"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def _declare(library):
    for name, (restype, argtypes) in _SIGNATURES.items():
        function = getattr(library, name)
        function.restype = restype
        function.argtypes = argtypes
    version = library.weightinit_abi_version()
    if version // 10000 != ABI_MAJOR or version % 10000 < ABI_MINOR:
        raise LibraryNotFoundError(
            "libweightinit reports ABI version %d.%d; this package needs %d.%d or a later %d.x"
            % (version // 10000, version % 10000, ABI_MAJOR, ABI_MINOR, ABI_MAJOR))
    return library


_loaded = None
_lock = threading.Lock()


def load():
    """The loaded library (loaded once, on first use)."""
    global _loaded
    if _loaded is not None:
        return _loaded
    with _lock:
        if _loaded is None:
            tried = []
            for path in candidates():
                # Only names without a slash go to the loader's search; paths must exist.
                if os.sep in path and not os.path.exists(path):
                    tried.append(path + " (no such file)")
                    continue
                try:
                    library = ctypes.CDLL(path)
                except OSError as error:
                    tried.append("%s (%s)" % (path, error))
                    continue
                _loaded = (_declare(library), path)
                break
            else:
                raise LibraryNotFoundError(
                    "libweightinit was not found. Build it with `swift build` in the repository (or install it "
                    "with `make install PREFIX=...`), or set WEIGHTINIT_LIBRARY to the library's path. Tried: "
                    + "; ".join(escaped(entry, 512) for entry in tried))
    return _loaded
