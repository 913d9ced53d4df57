"""weightinit.keras: the laws of keras.initializers (two-sample KS against
Keras' own, fixed seeds), the CLI's bytes under the layout rule, what
seed=None means, get_config/from_config and a saved model that reloads, a
model that trains a step — on the JAX backend (the one set here when none
is chosen) and, in a subprocess, the numpy backend. Skipped, with the
reason, where keras is not importable."""
import os
import subprocess
import sys

import numpy as np
import pytest

if "KERAS_BACKEND" not in os.environ:
    try:
        import jax  # noqa: F401
        os.environ["KERAS_BACKEND"] = "jax"
    except ImportError:
        os.environ["KERAS_BACKEND"] = "numpy"
keras = pytest.importorskip("keras", reason="keras is not importable here (the test command does not install it)")
from scipy import stats  # noqa: E402

import weightinit.keras as wk  # noqa: E402
from weightinit import init  # noqa: E402

K = keras.initializers


def sample(initializer, shape, dtype="float32"):
    return np.asarray(keras.ops.convert_to_numpy(initializer(shape, dtype)), dtype=np.float64)


LAWS = [
    ("GlorotUniform", wk.GlorotUniform(seed=1), K.GlorotUniform(seed=2), (3, 3, 64, 48)),
    ("GlorotNormal", wk.GlorotNormal(seed=1), K.GlorotNormal(seed=2), (300, 120)),
    ("GlorotUniform 1-D", wk.GlorotUniform(seed=1), K.GlorotUniform(seed=2), (30000,)),
    ("HeUniform", wk.HeUniform(seed=1), K.HeUniform(seed=2), (300, 120)),
    ("HeNormal", wk.HeNormal(seed=1), K.HeNormal(seed=2), (3, 3, 40, 64)),
    ("LecunUniform", wk.LecunUniform(seed=1), K.LecunUniform(seed=2), (300, 120)),
    ("LecunNormal", wk.LecunNormal(seed=1), K.LecunNormal(seed=2), (5, 60, 100)),
    ("VarianceScaling uniform fan_out", wk.VarianceScaling(2.0, "fan_out", "uniform", seed=1),
     K.VarianceScaling(2.0, "fan_out", "uniform", seed=2), (300, 120)),
    ("VarianceScaling untruncated fan_avg", wk.VarianceScaling(0.5, "fan_avg", "untruncated_normal", seed=1),
     K.VarianceScaling(0.5, "fan_avg", "untruncated_normal", seed=2), (300, 120)),
    ("VarianceScaling 'normal' is truncated", wk.VarianceScaling(1.0, "fan_in", "normal", seed=1),
     K.VarianceScaling(1.0, "fan_in", "normal", seed=2), (300, 120)),
    ("VarianceScaling input/output axes", wk.VarianceScaling(1.0, "fan_avg", seed=1, input_axes=[0],
                                                             output_axes=[1, 2]),
     K.VarianceScaling(1.0, "fan_avg", seed=2, input_axes=[0], output_axes=[1, 2]), (200, 4, 40)),
    ("RandomNormal", wk.RandomNormal(0.5, 0.2, seed=1), K.RandomNormal(0.5, 0.2, seed=2), (30000,)),
    ("RandomUniform", wk.RandomUniform(-1.0, 3.0, seed=1), K.RandomUniform(-1.0, 3.0, seed=2), (200, 150)),
    ("TruncatedNormal", wk.TruncatedNormal(0.1, 0.3, seed=1), K.TruncatedNormal(0.1, 0.3, seed=2), (30000,)),
    ("Orthogonal", wk.Orthogonal(1.5, seed=1), K.Orthogonal(1.5, seed=2), (3, 3, 16, 200)),
]


@pytest.mark.parametrize("ours, theirs, shape", [case[1:] for case in LAWS], ids=[case[0] for case in LAWS])
def test_laws_equal_keras(ours, theirs, shape):
    """Deterministic (fixed seeds): p far from the threshold a wrong law reaches (test_ks_tells_laws_apart)."""
    a, b = sample(ours, shape), sample(theirs, shape)
    assert a.shape == b.shape == shape
    assert stats.ks_2samp(a.ravel(), b.ravel()).pvalue > 1e-3
    assert abs(a.std() / b.std() - 1) < 0.03


def test_ks_tells_laws_apart():
    a = sample(wk.VarianceScaling(1.0, "fan_in", "normal", seed=1), (1000, 120))
    b = sample(K.VarianceScaling(1.0, "fan_in", "untruncated_normal", seed=2), (1000, 120))
    assert stats.ks_2samp(a.ravel(), b.ravel()).pvalue < 1e-4
    # The fans of the transposed shape (fan_in 12, not 3000): the layout matters.
    c = sample(K.HeUniform(seed=2), (3000, 12))
    assert stats.ks_2samp(sample(wk.HeUniform(seed=1), (12, 3000)).ravel(), c.ravel()).pvalue < 1e-4


def test_deterministic_initializers():
    assert np.array_equal(sample(wk.Identity(2.0), (3, 4)), 2 * np.eye(3, 4))
    assert np.array_equal(sample(wk.Zeros(), (2, 3)), np.zeros((2, 3)))
    assert np.array_equal(sample(wk.Ones(), (2, 3)), np.ones((2, 3)))
    assert np.array_equal(sample(wk.Constant(0.25), (4,)), np.full(4, 0.25))
    with pytest.raises(ValueError, match="2D matrices"):
        wk.Identity()((3, 3, 3))
    with pytest.raises(ValueError, match="at least two-dimensional"):
        wk.Orthogonal(seed=0)((5,))


# (id, ours, its shape, the CLI scheme, the torch shape, the CLI extra options, the axes from the CLI's array to ours)
IDENTITY = [
    ("GlorotUniform Dense", wk.GlorotUniform(seed=77, stream=4), (64, 32), "xavier-uniform", (32, 64), (), (1, 0)),
    ("HeNormal Conv2D", wk.HeNormal(seed=77, stream=4), (3, 3, 8, 16), "kaiming-normal --truncated", (16, 8, 3, 3),
     (), (2, 3, 1, 0)),
    ("GlorotNormal 1-D", wk.GlorotNormal(seed=77, stream=4), (30,), "xavier-normal --truncated", (30,),
     ("--fan-in", "30", "--fan-out", "30"), (0,)),
    ("VarianceScaling axes", wk.VarianceScaling(1.0, "fan_avg", seed=77, stream=4, input_axes=[0],
                                                output_axes=[1, 2]), (12, 4, 5),
     "variance-scaling --mode fan-avg", (4, 5, 12), ("--fan-in", "12", "--fan-out", "20"), (2, 0, 1)),
    ("RandomNormal", wk.RandomNormal(stddev=0.02, seed=77, stream=4), (48, 64), "normal --std 0.02", (64, 48), (),
     (1, 0)),
    ("RandomUniform layout=torch", wk.RandomUniform(seed=77, stream=4, layout="torch"), (100, 16),
     "uniform --low -0.05 --high 0.05", (100, 16), (), (0, 1)),
    ("TruncatedNormal", wk.TruncatedNormal(0.0, 0.5, seed=77, stream=4), (10, 7), "truncated-normal --std 0.5",
     (7, 10), (), (1, 0)),
    ("Orthogonal LSTM recurrent", wk.Orthogonal(seed=77, stream=4), (16, 64), "orthogonal", (64, 16), (), (1, 0)),
    ("Identity", wk.Identity(1.5), (4, 6), "eye --gain 1.5", (6, 4), (), (1, 0)),
    ("UniformFanIn", wk.UniformFanIn(seed=77, stream=4), (64, 32), "uniform-fan-in", (32, 64), (), (1, 0)),
    ("Scheme", wk.Scheme("kaiming-uniform --nonlinearity tanh", seed=77, stream=4), (3, 16, 8),
     "kaiming-uniform --nonlinearity tanh", (8, 16, 3), (), (2, 1, 0)),
]


@pytest.mark.parametrize("dtype", ["f32", "bf16"])
@pytest.mark.parametrize("ours, shape, scheme, torch_shape, extra, axes", [case[1:] for case in IDENTITY],
                         ids=[case[0] for case in IDENTITY])
def test_the_clis_bytes_under_the_layout_rule(cli, ours, shape, scheme, torch_shape, extra, axes, dtype):
    values = keras.ops.convert_to_numpy(ours(shape, {"f32": "float32", "bf16": "bfloat16"}[dtype]))
    seed = 0 if isinstance(ours, wk.Identity) else 77
    raw, written = cli(scheme, torch_shape, dtype, seed, 0 if seed == 0 else 4, extra)
    expected = np.frombuffer(raw, dtype=values.dtype).reshape(written).transpose(axes)
    assert values.tobytes() == np.ascontiguousarray(expected).tobytes()


def test_seed_none_draws_a_seed_once_from_pythons_random():
    a, b = wk.GlorotUniform(), wk.GlorotUniform()
    assert a.seed != b.seed
    assert not np.array_equal(sample(a, (20, 10)), sample(b, (20, 10)))
    assert np.array_equal(sample(a, (20, 10)), sample(a, (20, 10)))  # the same values on every call, as Keras
    keras.utils.set_random_seed(3)
    first = wk.HeNormal().seed
    keras.utils.set_random_seed(3)
    assert wk.HeNormal().seed == first
    assert a.get_config()["seed"] is None


def test_seed_generators_and_bad_seeds_are_refused():
    with pytest.raises(TypeError, match="SeedGenerator"):
        wk.HeNormal(seed=keras.random.SeedGenerator(1))
    with pytest.raises(TypeError):
        wk.HeNormal(seed="1")
    with pytest.raises(ValueError):
        wk.HeNormal(seed=-1)


@pytest.mark.parametrize("ours, shape", [case[1:3] for case in IDENTITY] + [
    (wk.VarianceScaling(3.0, "fan_out", "uniform", seed=5), (4, 6)), (wk.Constant(0.5), (4, 6)), (wk.Zeros(), (4, 6)),
    (wk.Ones(), (4, 6))], ids=[case[0] for case in IDENTITY] + ["VarianceScaling", "Constant", "Zeros", "Ones"])
def test_config_round_trips(ours, shape):
    config = keras.initializers.serialize(ours)
    assert config["registered_name"] == "weightinit>" + type(ours).__name__
    again = keras.initializers.deserialize(config)
    assert type(again) is type(ours) and again.get_config() == ours.get_config()
    assert np.array_equal(sample(again, shape), sample(ours, shape))
    assert np.array_equal(sample(type(ours).from_config(ours.get_config()), shape), sample(ours, shape))


def test_every_class_name_of_keras_initializers():
    public = {name for name in dir(K) if not name.startswith("_") and isinstance(getattr(K, name), type)}
    assert public <= set(wk.__all__), public - set(wk.__all__)
    for name in public - {"Initializer", "STFT", "STFTInitializer", "stft"}:
        assert issubclass(getattr(wk, name), keras.initializers.Initializer), name


@pytest.mark.parametrize("name", [n for n in wk.__all__ if n[0].isupper() and n not in (
    "Initializer", "RandomInitializer", "STFT", "STFTInitializer")])
def test_documented(name):
    import inspect

    doc = inspect.getdoc(getattr(wk, name)) or ""
    assert ">>>" in doc and ("Keras:" in doc or "keras.initializers" in doc or "CLI:" in doc), name


def model():
    return keras.Sequential([
        keras.Input((6, 6, 3)),
        keras.layers.Conv2D(4, 3, kernel_initializer=wk.HeNormal(seed=1, stream=1), bias_initializer=wk.Zeros()),
        keras.layers.Flatten(),
        keras.layers.Dense(8, activation="tanh", kernel_initializer=wk.GlorotUniform(seed=1, stream=2)),
        keras.layers.Dense(2, kernel_initializer=wk.Orthogonal(seed=1, stream=3), bias_initializer=wk.Constant(0.1)),
    ])


def test_model_uses_the_initializers_and_trains_a_step():
    if keras.backend.backend() == "numpy":
        pytest.skip("the numpy backend cannot train")
    net = model()
    dense = keras.ops.convert_to_numpy(net.layers[2].kernel)
    assert np.array_equal(dense, init.xavier_uniform_(np.empty((8, 64), np.float32), seed=1, stream=2).T)
    net.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x = np.random.default_rng(0).normal(size=(8, 6, 6, 3)).astype(np.float32)
    y = np.ones((8, 2), np.float32)
    before = net.evaluate(x, y, verbose=0)
    net.train_on_batch(x, y)
    after = net.evaluate(x, y, verbose=0)
    assert np.isfinite(before) and after < before


def test_saved_model_reloads(tmp_path):
    net = model()
    path = str(tmp_path / "model.keras")
    net.save(path)
    loaded = keras.models.load_model(path)
    for original, reloaded in zip(net.layers, loaded.layers):
        for name in ("kernel_initializer", "bias_initializer"):
            if hasattr(original, name):
                assert type(getattr(reloaded, name)) is type(getattr(original, name))
                assert getattr(reloaded, name).get_config() == getattr(original, name).get_config()
        for a, b in zip(original.weights, reloaded.weights):
            assert np.array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
    # A clone is re-initialised from the configs: the seeded layers get the same values again.
    clone = keras.models.clone_model(net)
    assert np.array_equal(keras.ops.convert_to_numpy(clone.layers[2].kernel),
                          keras.ops.convert_to_numpy(net.layers[2].kernel))


def test_numpy_backend(tmp_path):
    """Any backend: the numpy one, in a fresh interpreter (the backend is chosen at import)."""
    if keras.backend.backend() == "numpy":
        pytest.skip("this process runs the numpy backend already")
    script = """
import sys, numpy as np, keras
import weightinit.keras as wk
from weightinit import init
assert keras.backend.backend() == "numpy"
net = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, kernel_initializer=wk.LecunNormal(seed=4, stream=2))])
kernel = keras.ops.convert_to_numpy(net.layers[0].kernel)
assert np.array_equal(kernel, init.lecun_normal_(np.empty((3, 5), np.float32), seed=4, stream=2).T)
net.save(sys.argv[1])
loaded = keras.models.load_model(sys.argv[1])
assert loaded.layers[0].kernel_initializer.get_config() == net.layers[0].kernel_initializer.get_config()
print("numpy backend ok")
"""
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "m.keras")], capture_output=True, text=True,
                         env=dict(os.environ, KERAS_BACKEND="numpy",
                                  PYTHONPATH=os.path.dirname(os.path.dirname(init.__file__))))
    assert run.returncode == 0 and "numpy backend ok" in run.stdout, run.stderr[-3000:]
