"""Shared helpers: the package under test, and the CLI whose files every
fill is compared with.

The package: with WEIGHTINIT_TEST_INSTALLED=1 (.ci/test sets it) the
installed one — the wheel in a fresh venv — and never this source tree;
otherwise python/ of this source tree, with the library of
WEIGHTINIT_LIBRARY or the newest build under .build. WEIGHTINIT_CLI names
the tool; otherwise the newest build under .build is used.
"""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
INSTALLED = os.environ.get("WEIGHTINIT_TEST_INSTALLED") == "1"
if not INSTALLED:
    sys.path.insert(0, str(ROOT / "python"))
else:
    import weightinit

    if pathlib.Path(weightinit.__file__).resolve().is_relative_to(ROOT):
        raise RuntimeError("WEIGHTINIT_TEST_INSTALLED=1, but weightinit was imported from the source tree: %s"
                           % weightinit.__file__)


def cli_path():
    override = os.environ.get("WEIGHTINIT_CLI")
    if override:
        return override
    builds = [ROOT / ".build" / c / "weightinit" for c in ("release", "debug")]
    builds = sorted((p for p in builds if p.exists()), key=lambda p: p.stat().st_mtime, reverse=True)
    if not builds:
        pytest.fail("the weightinit tool is not built (swift build --build-tests), and WEIGHTINIT_CLI is not set")
    return str(builds[0])


DTYPES = {"float32": "f32", "float64": "f64", "float16": "f16"}


def read_safetensors(path, name="weight"):
    """(dtype, shape, raw bytes) of one tensor of a .safetensors file."""
    data = pathlib.Path(path).read_bytes()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    entry = header[name]
    begin, end = entry["data_offsets"]
    return entry["dtype"], tuple(entry["shape"]), data[8 + length + begin:8 + length + end]


def generate(tmp_path, scheme, shape, dtype="f32", seed=0, stream=0, extra=()):
    """The bytes `weightinit generate <scheme> --shape … --seed … --stream … --dtype …` writes
    (through .npy, or .safetensors for bf16), and the shape of what it wrote."""
    suffix = ".safetensors" if dtype == "bf16" else ".npy"
    output = tmp_path / ("cli-%d%s" % (len(list(tmp_path.iterdir())), suffix))
    arguments = [cli_path(), "generate", *scheme.split(), "--shape", ",".join(map(str, shape)), "--seed", str(seed),
                 "--stream", str(stream), "--dtype", dtype, "--output", str(output), "--quiet", *extra]
    run = subprocess.run(arguments, capture_output=True, text=True)
    if run.returncode != 0:
        raise AssertionError("%s failed: %s" % (" ".join(arguments), run.stderr))
    if dtype == "bf16":
        stored, written_shape, raw = read_safetensors(output)
        assert stored == "BF16"
        return raw, written_shape
    array = np.load(output)
    return array.tobytes(), array.shape


@pytest.fixture
def cli(tmp_path):
    def run(scheme, shape, dtype="f32", seed=0, stream=0, extra=()):
        return generate(tmp_path, scheme, shape, dtype, seed, stream, extra)
    return run
