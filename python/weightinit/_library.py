"""Finding and loading libweightinit, and its C declarations for ctypes.

The declarations mirror Sources/CWeightInit/include/weightinit.h (ABI 1).
"""
import ctypes
import os
import pathlib
import re
import shutil
import subprocess
import sys
import threading

from ._text import escaped

# The ABI this package is written against: a library of the same major and
# this or a later minor version is accepted. What the loaded library is
# (its ABI and stream format versions, its status names) is asked of it.
ABI_MAJOR = 1
ABI_MINOR = 1  # 1.1: weightinit_fill_region_cancellable (the Ctrl-C path of _core._fill_interruptibly)

# weightinit_status: WEIGHTINIT_OK. Other statuses are named by the library
# (weightinit_status_name), not by a copy of the header.
OK = 0

# weightinit_dtype and weightinit_layout values; I64 … BOOL and DTYPE_DEFAULT
# are a model plan's only (ABI 1.1).
F32, F64, F16, BF16 = 0, 1, 2, 3
I64, I32, U8, BOOL, DTYPE_DEFAULT = 4, 5, 6, 7, 8  # ABI 1.1: a model plan's tensors, and "no dtype given"
PLAN_SKIP_UNMATCHED = 1
LAYOUT_TORCH, LAYOUT_KERAS, LAYOUT_AXES = 0, 1, 2
MAX_RANK = 64


class Scheme(ctypes.Structure):
    """weightinit_scheme: 256 bytes, filled by weightinit_scheme_parse."""

    _fields_ = [("size", ctypes.c_uint32), ("version", ctypes.c_uint32), ("opaque", ctypes.c_uint64 * 31)]


assert ctypes.sizeof(Scheme) == 256


class PlanTensor(ctypes.Structure):
    """weightinit_plan_tensor: one tensor of the list weightinit_plan_create plans."""

    _fields_ = [("name", ctypes.c_char_p), ("rank", ctypes.c_size_t), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("dtype", ctypes.c_int)]


class TensorInfo(ctypes.Structure):
    """weightinit_tensor_info: what applies to one tensor of a plan (its pointers are the plan's)."""

    _fields_ = [("name", ctypes.c_char_p), ("rank", ctypes.c_size_t), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("dtype", ctypes.c_int), ("scheme", ctypes.c_char_p), ("seed", ctypes.c_uint64),
                ("stream", ctypes.c_uint32), ("part_count", ctypes.c_size_t)]


class PartInfo(ctypes.Structure):
    """weightinit_part_info: one part (a block with a scheme of its own) of a plan's tensor."""

    _fields_ = [("rank", ctypes.c_size_t), ("region_start", ctypes.POINTER(ctypes.c_int64)),
                ("region_stop", ctypes.POINTER(ctypes.c_int64)), ("scheme", ctypes.c_char_p),
                ("seed", ctypes.c_uint64), ("stream", ctypes.c_uint32)]


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
    # ABI 1.1: cancellable fills.
    "weightinit_fill_region_cancellable": (
        ctypes.c_int,
        [
            ctypes.POINTER(Scheme), ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_size_t, _c_int64_p,
            _c_int64_p, _c_int64_p, ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint64, ctypes.c_uint32,
            ctypes.c_int32, ctypes.POINTER(ctypes.c_int32),
        ],
    ),
    # ABI 1.1: the key of a named tensor (stream format 3).
    "weightinit_name_seed": (ctypes.c_int, [ctypes.c_uint64, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint64)]),
    # ABI 1.1: model plans (weightinit.models).
    "weightinit_plan_create": (
        ctypes.c_int,
        [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(PlanTensor), ctypes.c_size_t, ctypes.c_uint64, ctypes.c_int,
         ctypes.c_uint32, ctypes.POINTER(ctypes.c_void_p)],
    ),
    "weightinit_plan_create_from_config": (
        ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint64, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p)],
    ),
    "weightinit_plan_free": (ctypes.c_int, [ctypes.c_void_p]),
    "weightinit_plan_count": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]),
    "weightinit_plan_find": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t)]),
    "weightinit_plan_tensor_info": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(TensorInfo)]),
    "weightinit_plan_part_info": (
        ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.POINTER(PartInfo)],
    ),
    "weightinit_plan_fill": (
        ctypes.c_int,
        [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_size_t, _c_int64_p,
         _c_int64_p, ctypes.c_int32],
    ),
}


class LibraryNotFoundError(OSError):
    """libweightinit could not be loaded; the message lists where it was looked for."""


def bundled():
    """The library a wheel puts inside the package: weightinit/_lib/libweightinit.so.1,
    its Swift runtime in weightinit/_lib/weightinit (RUNPATH $ORIGIN/weightinit)."""
    return pathlib.Path(__file__).resolve().parent / "_lib" / ("libweightinit.so.%d" % ABI_MAJOR)


def candidates():
    """Where the library is looked for, in order.

    1. $WEIGHTINIT_LIBRARY, if set (then nothing else).
    2. The library installed with the package by its wheel (`bundled()`).
    3. The build tree this package sits in (python/ of the repository):
       .build/release or .build/debug, the newer first.
    4. An installed libweightinit.so.1: under sys.prefix/lib (`make install
       PREFIX=$VIRTUAL_ENV`), where the dynamic loader looks (LD_LIBRARY_PATH,
       ld.so.cache), pkg-config's libdir for weightinit, /usr/local/lib and
       ~/.local/lib.
    """
    override = os.environ.get("WEIGHTINIT_LIBRARY")
    if override:
        return [override]
    found = []
    if bundled().exists():
        found.append(str(bundled()))
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


# ld.so's words for a library that needs another it cannot find.
_MISSING = re.compile(r"(lib[^\s:/]*\.so[^\s:/]*): cannot open shared object file")
_SYSTEM = {
    "libopenblas": "OpenBLAS", "liblapacke": "LAPACKE", "liblapack": "LAPACK", "libblas": "BLAS",
    "libgfortran": "the GNU Fortran runtime (OpenBLAS needs it)", "libquadmath": "libquadmath (OpenBLAS needs it)",
}


def missing_dependency(path, error):
    """A one-line explanation when `path` could not be loaded because a
    library it links is not found (ld.so's "libX.so.N: cannot open shared
    object file"), naming it and how to get it; None for any other error.
    The missing library may be `path` itself (a name the loader searched)."""
    match = _MISSING.search(str(error))
    if match is None:
        return None
    needed = match.group(1)
    if needed == os.path.basename(path):
        return None
    stem = needed.split(".so")[0]
    if re.search(r"-[0-9a-f]{8}$", stem.split(".")[0]):  # auditwheel's name for a library it copied in
        return ("%s needs %s, which auditwheel put in weightinit.libs beside the installed package: copying the "
                "library alone leaves it behind (set WEIGHTINIT_LIBRARY to the installed one)" % (path, needed))
    if stem.startswith(("libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime")):
        return ("%s needs %s, part of the Swift runtime, which is not beside it: `make install` and the wheel put "
                "the runtime in %s (its RUNPATH); copying the library alone leaves it behind"
                % (path, needed, os.path.join(os.path.dirname(path) or ".", "weightinit")))
    system = next((what for prefix, what in _SYSTEM.items() if stem.startswith(prefix)), None)
    if system is not None:
        return ("%s needs %s (%s), which the dynamic loader cannot find: install OpenBLAS and LAPACKE "
                "(Debian/Ubuntu: apt-get install libopenblas0 liblapacke), or use a wheel repaired by auditwheel, "
                "which carries them" % (path, needed, system))
    return "%s needs %s, which the dynamic loader cannot find" % (path, needed)


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
            reasons = []
            for path in candidates():
                # Only names without a slash go to the loader's search; paths must exist.
                if os.sep in path and not os.path.exists(path):
                    tried.append(path + " (no such file)")
                    continue
                try:
                    library = ctypes.CDLL(path)
                except OSError as error:
                    tried.append("%s (%s)" % (path, error))
                    reason = missing_dependency(path, error)
                    if reason is not None:
                        reasons.append(reason)
                    continue
                _loaded = (_declare(library), path)
                break
            else:
                if reasons:
                    raise LibraryNotFoundError(
                        "libweightinit could not be loaded: " + escaped(reasons[0], 1024) + ". Tried: "
                        + "; ".join(escaped(entry, 512) for entry in tried))
                raise LibraryNotFoundError(
                    "libweightinit was not found. Install the package's wheel (`pip install .` in the repository "
                    "builds it), build it with `swift build` in the repository (or install it "
                    "with `make install PREFIX=...`), or set WEIGHTINIT_LIBRARY to the library's path. Tried: "
                    + "; ".join(escaped(entry, 512) for entry in tried))
    return _loaded
