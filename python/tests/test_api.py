"""The package as a typed, documented API: torch.nn.init's every public name
(calculate_gain and the deprecated aliases included), type hints and a
docstring with the formula's source, the framework name it mirrors and an
example on every public function, py.typed, the version from one place, and
a loader that names a missing dependency."""
import importlib.metadata
import inspect
import os
import pathlib
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest

import weightinit
from weightinit import _library as L
from weightinit import init

from conftest import INSTALLED, ROOT

# torch.nn.init.__all__ of torch 2.15 (test_torch_names compares it with the installed torch where there is one).
TORCH_NAMES = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_", "uniform",
    "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
    "orthogonal", "sparse",
]
DEPRECATED = [name for name in TORCH_NAMES if not name.endswith("_") and name != "calculate_gain"]


def test_init_has_every_public_name_of_torch_nn_init():
    assert set(TORCH_NAMES) <= set(init.__all__)
    for name in init.__all__:
        assert callable(getattr(init, name)), name


def test_torch_names():
    torch = pytest.importorskip("torch", reason="torch is not importable here; TORCH_NAMES is torch 2.15's list")
    assert set(torch.nn.init.__all__) <= set(init.__all__), set(torch.nn.init.__all__) - set(init.__all__)


PUBLIC = [("init." + name, getattr(init, name)) for name in init.__all__ if name not in DEPRECATED] + [
    ("weightinit." + name, getattr(weightinit, name)) for name in weightinit.__all__
    if inspect.isfunction(getattr(weightinit, name))]


@pytest.mark.parametrize("name, function", PUBLIC, ids=[name for name, _ in PUBLIC])
def test_public_functions_are_typed_and_documented(name, function):
    signature = inspect.signature(function)
    assert signature.return_annotation is not inspect.Signature.empty, "%s has no return annotation" % name
    for parameter in signature.parameters.values():
        assert parameter.annotation is not inspect.Parameter.empty, "%s: %s has no annotation" % (name, parameter.name)
    doc = inspect.getdoc(function) or ""
    assert ">>>" in doc, "%s's docstring has no example" % name
    if name.startswith("init.") and name != "init.calculate_gain":
        assert any(w in doc for w in ("PyTorch", "Keras", "JAX")), "%s names no framework counterpart" % name
        assert "CLI:" in doc, "%s's docstring names no CLI scheme" % name


def test_help_shows_the_docstrings():
    import pydoc

    text = pydoc.render_doc(init.kaiming_normal_, renderer=pydoc.plaintext)
    assert "gain/√fan" in text and "torch.nn.init.kaiming_normal_" in text and ">>> init.kaiming_normal_" in text
    assert "seed: 'int' = 0" in text or "seed: int = 0" in text


def test_py_typed_ships_with_the_package():
    assert (pathlib.Path(weightinit.__file__).parent / "py.typed").exists()


@pytest.mark.parametrize("name", DEPRECATED)
def test_deprecated_names_warn_and_fill_as_the_underscore_ones(name):
    args = {"sparse": (0.5,), "constant": (0.25,)}.get(name, ())
    with pytest.warns(FutureWarning, match="`init.%s` is now deprecated in favor of `init.%s_`" % (name, name)):
        old = getattr(init, name)(np.empty((6, 4, 3), np.float32) if name == "dirac" else np.empty((6, 4), np.float32),
                                  *args, seed=3, stream=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = getattr(init, name + "_")(np.empty(old.shape, np.float32), *args, seed=3, stream=1)
    assert old.tobytes() == new.tobytes()


GAINS = [("linear", None), ("identity", None), ("conv1d", None), ("conv_transpose3d", None), ("sigmoid", None),
         ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)]


@pytest.mark.parametrize("nonlinearity, param", GAINS)
def test_calculate_gain_is_the_librarys(nonlinearity, param):
    """kaiming-normal with fan 1 is N(0, gain²): the same bytes as normal --std calculate_gain(…)."""
    text = "kaiming-normal --nonlinearity %s --fan-in 1" % nonlinearity.replace("_", "-")
    if param is not None:
        text += " --negative-slope %r" % float(param)
    gain = init.calculate_gain(nonlinearity, param)
    expected = weightinit.fill(np.empty(64, np.float64), text, seed=9, stream=2)
    got = weightinit.fill(np.empty(64, np.float64), "normal --std %r" % float(gain), seed=9, stream=2)
    assert got.tobytes() == expected.tobytes()


@pytest.mark.parametrize("nonlinearity, param", [g for g in GAINS if g[0] != "identity"])
def test_calculate_gain_is_torchs(nonlinearity, param):
    torch = pytest.importorskip("torch", reason="torch is not importable here")
    assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


def test_calculate_gain_refuses_what_torch_refuses():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("softplus")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)
    with pytest.raises(TypeError):
        init.calculate_gain(None)


def test_version_has_one_source():
    """weightinit.h's ABI version is the package's (and, installed, the wheel's metadata)."""
    major, minor = weightinit.abi_version()
    assert weightinit.__version__ == "%d.%d.0" % (major, minor)
    makefile = (ROOT / "Makefile").read_text()
    assert "WEIGHTINIT_ABI_VERSION_MAJOR" in makefile and "WEIGHTINIT_ABI_VERSION_MINOR" in makefile
    if INSTALLED:
        assert importlib.metadata.version("weightinit") == weightinit.__version__


def test_weightinit_library_overrides(monkeypatch):
    monkeypatch.setenv("WEIGHTINIT_LIBRARY", "/somewhere/libweightinit.so.1")
    assert L.candidates() == ["/somewhere/libweightinit.so.1"]
    monkeypatch.delenv("WEIGHTINIT_LIBRARY")
    assert (L.candidates()[0] == str(L.bundled())) == L.bundled().exists()


def test_installed_package_loads_its_bundled_library():
    if not INSTALLED:
        pytest.skip("runs against the installed wheel (WEIGHTINIT_TEST_INSTALLED=1), not the source tree")
    assert "WEIGHTINIT_LIBRARY" not in os.environ
    assert weightinit.library_path() == str(L.bundled())
    assert L.candidates()[0] == str(L.bundled())


@pytest.mark.parametrize("error, named", [
    ("libopenblas.so.0: cannot open shared object file: No such file or directory", "libopenblas.so.0 (OpenBLAS)"),
    ("liblapacke.so.3: cannot open shared object file: No such file or directory", "liblapacke.so.3 (LAPACKE)"),
    ("libswiftCore.so: cannot open shared object file: No such file or directory", "part of the Swift runtime"),
    ("libfoo.so.2: cannot open shared object file: No such file or directory", "needs libfoo.so.2"),
    ("libopenblasp-r0-234bd196.3.21.so: cannot open shared object file: No such file or directory",
     "auditwheel put in weightinit.libs"),
    ("libopenblasp-r0.3.21.so: cannot open shared object file: No such file or directory", "(OpenBLAS)"),
])
def test_a_missing_dependency_is_named(error, named):
    reason = L.missing_dependency("/x/libweightinit.so.1", OSError(error))
    assert named in reason
    if "(OpenBLAS)" in named or "LAPACKE" in named:
        assert "apt-get install libopenblas0 liblapacke" in reason
    assert L.missing_dependency("/x/libweightinit.so.1", OSError("/x/libweightinit.so.1: invalid ELF header")) is None
    assert L.missing_dependency("libweightinit.so.1", OSError(
        "libweightinit.so.1: cannot open shared object file: No such file or directory")) is None


def test_a_library_copied_without_its_runtime_names_the_runtime(tmp_path):
    """The wheel's library alone in a directory: the message names what it left behind (the Swift runtime, or
    what auditwheel copied in), not just 'not found'."""
    if not INSTALLED:
        pytest.skip("needs the wheel's library (RUNPATH $ORIGIN/weightinit); the build tree's names the toolchain")
    alone = tmp_path / "libweightinit.so.1"
    shutil.copy(L.bundled(), alone)
    run = subprocess.run([sys.executable, "-c", "import weightinit; weightinit.abi_version()"], capture_output=True,
                         text=True, env=dict(os.environ, WEIGHTINIT_LIBRARY=str(alone)), cwd=tmp_path)
    assert run.returncode != 0
    assert "LibraryNotFoundError: libweightinit could not be loaded: %s needs lib" % alone in run.stderr, run.stderr
    assert "part of the Swift runtime" in run.stderr or "auditwheel put in weightinit.libs" in run.stderr, run.stderr
