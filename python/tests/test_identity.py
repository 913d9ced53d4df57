"""The cross-framework identity recipe (README, "Same weights in every
framework"): one scheme, seed and stream give the same bytes from the CLI,
C, numpy, PyTorch, JAX and Keras for the same logical tensor — PyTorch's
(out, in, k…); JAX and Keras hold it transposed, (k…, in, out), and their
arrays are the CLI's transposed so. Every framework is compared with the
CLI's file; those that are not importable here are skipped with the reason
(the torch venv runs PyTorch, the jax venv JAX and Keras)."""
import importlib
import os
import shutil
import subprocess

import numpy as np
import pytest

import weightinit
from weightinit import init

from conftest import ROOT

SEED = 2024
STREAM = weightinit.name_stream("encoder.fc1.weight")  # the stream a spec file gives that tensor

# (id, the CLI scheme, the logical (torch) shape, the numpy/torch function, the JAX factory, the Keras class)
CASES = [
    ("glorot uniform dense", "xavier-uniform", (48, 32), "xavier_uniform_", "glorot_uniform", "GlorotUniform"),
    ("he normal conv", "kaiming-normal --truncated", (16, 8, 3, 3), "he_normal_", "he_normal", "HeNormal"),
    ("lecun normal conv1d", "lecun-normal --truncated", (12, 6, 5), "lecun_normal_", "lecun_normal", "LecunNormal"),
    ("orthogonal", "orthogonal", (64, 32), "orthogonal_", "orthogonal", "Orthogonal"),
    ("torch's Linear default", "uniform-fan-in", (40, 24), "uniform_fan_in_", "uniform_fan_in", "UniformFanIn"),
]


def to_framework(array):
    """The logical tensor (out, in, k…) in JAX's and Keras' layout (k…, in, out)."""
    rank = array.ndim
    return np.ascontiguousarray(array.transpose(tuple(range(2, rank)) + (1, 0)))


@pytest.fixture(scope="module")
def cli_arrays(tmp_path_factory):
    from conftest import generate

    directory = tmp_path_factory.mktemp("identity")
    out = {}
    for name, scheme, shape, *_ in CASES:
        raw, written = generate(directory, scheme, shape, "f32", SEED, STREAM)
        out[name] = np.frombuffer(raw, np.float32).reshape(written)
    return out


C_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <weightinit.h>

/* identity SCHEME SEED STREAM DIM...: the float32 tensor on stdout. */
int main(int argc, char **argv) {
    int64_t shape[8];
    size_t rank = (size_t)(argc - 4), count = 1;
    for (size_t d = 0; d < rank; d++) { shape[d] = atoll(argv[4 + d]); count *= (size_t)shape[d]; }
    float *w = malloc(count * sizeof *w);
    weightinit_scheme scheme;
    if (!w || weightinit_scheme_parse(argv[1], &scheme) != WEIGHTINIT_OK
        || weightinit_fill(&scheme, w, count * sizeof *w, WEIGHTINIT_F32, rank, shape, WEIGHTINIT_LAYOUT_TORCH, 0, 0,
                           strtoull(argv[2], NULL, 10), (uint32_t)strtoul(argv[3], NULL, 10), 0) != WEIGHTINIT_OK) {
        fprintf(stderr, "identity: %s\n", weightinit_last_error());
        return 1;
    }
    return fwrite(w, sizeof *w, count, stdout) == count ? 0 : 1;
}
"""


@pytest.fixture(scope="module")
def c_program(tmp_path_factory):
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("clang")
    if compiler is None:
        pytest.skip("no C compiler (cc), so the C column of the identity recipe did not run")
    directory = tmp_path_factory.mktemp("c")
    (directory / "identity.c").write_text(C_PROGRAM)
    library = os.path.realpath(weightinit.library_path())
    run = subprocess.run([compiler, "-std=c99", "-Wall", "-Werror", str(directory / "identity.c"),
                          "-I", str(ROOT / "Sources/CWeightInit/include"), library,
                          "-Wl,-rpath," + os.path.dirname(library), "-o", str(directory / "identity")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return str(directory / "identity")


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_c(cli_arrays, c_program, case):
    name, scheme, shape = case[:3]
    run = subprocess.run([c_program, scheme, str(SEED), str(STREAM), *map(str, shape)], capture_output=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout == cli_arrays[name].tobytes()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_numpy(cli_arrays, case):
    name, _, shape, function = case[:4]
    array = getattr(init, function)(np.empty(shape, np.float32), seed=SEED, stream=STREAM)
    assert array.tobytes() == cli_arrays[name].tobytes()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_pytorch(cli_arrays, case):
    torch = pytest.importorskip("torch", reason="torch is not importable here, so the PyTorch column did not run")
    name, _, shape, function = case[:4]
    tensor = getattr(init, function)(torch.empty(shape), seed=SEED, stream=STREAM)
    assert tensor.numpy().tobytes() == cli_arrays[name].tobytes()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_jax(cli_arrays, case):
    jax = pytest.importorskip("jax", reason="jax is not importable here, so the JAX column did not run")
    wj = importlib.import_module("weightinit.jax")
    name, _, shape, _, factory = case[:5]
    framework_shape = shape[2:] + (shape[1], shape[0])
    # seed= fixes the tensor whatever key Flax hands in; jax.random.key(SEED) with no seed= gives it too.
    for initializer, key in ((getattr(wj, factory)(seed=SEED, stream=STREAM), jax.random.key(0)),
                             (getattr(wj, factory)(stream=STREAM), jax.random.key(SEED))):
        array = np.asarray(jax.jit(lambda k: initializer(k, framework_shape))(key))
        assert array.tobytes() == to_framework(cli_arrays[name]).tobytes()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_keras(cli_arrays, case):
    if "KERAS_BACKEND" not in os.environ and importlib.util.find_spec("jax") is not None:
        os.environ["KERAS_BACKEND"] = "jax"
    keras = pytest.importorskip("keras", reason="keras is not importable here, so the Keras column did not run")
    wk = importlib.import_module("weightinit.keras")
    name, _, shape, _, _, cls = case
    framework_shape = shape[2:] + (shape[1], shape[0])
    array = keras.ops.convert_to_numpy(getattr(wk, cls)(seed=SEED, stream=STREAM)(framework_shape, "float32"))
    assert array.tobytes() == to_framework(cli_arrays[name]).tobytes()
