"""weightinit.jax: the laws of jax.nn.initializers (two-sample KS against
JAX's own, fixed keys), the CLI's bytes under the layout rule (a kernel is
the torch weight transposed), keys as seeds, jax.jit and jax.vmap, and Flax
and Equinox models built with it that train a step. Skipped, with the
reason, where jax is not importable."""
import numpy as np
import pytest

jax = pytest.importorskip("jax", reason="jax is not importable here (the test command does not install it)")
import jax.numpy as jnp  # noqa: E402
from jax.nn import initializers as J  # noqa: E402
from scipy import stats  # noqa: E402

import weightinit.jax as wj  # noqa: E402

KEY = jax.random.key(20240)


def sample(initializer, shape, key=KEY, dtype=jnp.float32):
    return np.asarray(initializer(key, shape, dtype), dtype=np.float64)


# (id, ours, JAX's, shape): the same law, drawn from different streams.
LAWS = [
    ("glorot_uniform", wj.glorot_uniform(), J.glorot_uniform(), (3, 3, 64, 48)),
    ("glorot_normal", wj.glorot_normal(), J.glorot_normal(), (300, 120)),
    ("xavier_uniform", wj.xavier_uniform(), J.xavier_uniform(), (300, 120)),
    ("xavier_normal", wj.xavier_normal(), J.xavier_normal(), (5, 64, 80)),
    ("he_uniform", wj.he_uniform(), J.he_uniform(), (300, 120)),
    ("he_normal", wj.he_normal(), J.he_normal(), (3, 3, 40, 64)),
    ("kaiming_uniform", wj.kaiming_uniform(), J.kaiming_uniform(), (7, 40, 90)),
    ("kaiming_normal", wj.kaiming_normal(), J.kaiming_normal(), (300, 120)),
    ("lecun_uniform", wj.lecun_uniform(), J.lecun_uniform(), (300, 120)),
    ("lecun_normal", wj.lecun_normal(), J.lecun_normal(), (300, 120)),
    ("variance_scaling fan_out uniform", wj.variance_scaling(2.0, "fan_out", "uniform"),
     J.variance_scaling(2.0, "fan_out", "uniform"), (300, 120)),
    ("variance_scaling fan_avg normal", wj.variance_scaling(0.5, "fan_avg", "normal"),
     J.variance_scaling(0.5, "fan_avg", "normal"), (3, 3, 32, 40)),
    ("variance_scaling fan_geo_avg truncated", wj.variance_scaling(1.5, "fan_geo_avg", "truncated_normal"),
     J.variance_scaling(1.5, "fan_geo_avg", "truncated_normal"), (400, 90)),
    ("variance_scaling axes and batch", wj.variance_scaling(1.0, "fan_in", "truncated_normal", in_axis=1, out_axis=2,
                                                            batch_axis=0),
     J.variance_scaling(1.0, "fan_in", "truncated_normal", in_axis=1, out_axis=2, batch_axis=0), (6, 30, 200)),
    ("variance_scaling axis sequences", wj.variance_scaling(1.0, "fan_avg", "uniform", in_axis=(0, 1), out_axis=-1),
     J.variance_scaling(1.0, "fan_avg", "uniform", in_axis=(0, 1), out_axis=-1), (8, 9, 300)),
    ("normal", wj.normal(0.3), J.normal(0.3), (30000,)),
    ("normal default", wj.normal(), J.normal(), (200, 150)),
    ("uniform", wj.uniform(2.0), J.uniform(2.0), (30000,)),
    ("truncated_normal", wj.truncated_normal(0.5), J.truncated_normal(0.5), (30000,)),
    ("truncated_normal bounds", wj.truncated_normal(0.5, lower=-1.0, upper=3.0),
     J.truncated_normal(0.5, lower=-1.0, upper=3.0), (30000,)),
    ("orthogonal", wj.orthogonal(1.3), J.orthogonal(1.3), (3, 3, 16, 200)),
    ("orthogonal column_axis", wj.orthogonal(column_axis=0), J.orthogonal(column_axis=0), (120, 300)),
]


@pytest.mark.parametrize("ours, theirs, shape", [case[1:] for case in LAWS], ids=[case[0] for case in LAWS])
def test_laws_equal_jax(ours, theirs, shape):
    """Deterministic (fixed keys): p of the two-sample KS test far from any
    threshold a wrong law reaches (test_ks_tells_laws_apart)."""
    a, b = sample(ours, shape), sample(theirs, shape, jax.random.key(7))
    assert a.shape == b.shape == shape
    assert stats.ks_2samp(a.ravel(), b.ravel()).pvalue > 1e-3
    assert abs(a.std() / b.std() - 1) < 0.03


def test_ks_tells_laws_apart():
    """The KS threshold above fails a law off by 10 % in scale, and a truncated law for an untruncated one."""
    a = sample(wj.he_normal(), (300, 120))
    assert stats.ks_2samp(a.ravel(), 1.1 * sample(J.he_normal(), (300, 120), jax.random.key(7)).ravel()).pvalue < 1e-4
    b = sample(wj.variance_scaling(2.0, "fan_in", "normal"), (300, 120), jax.random.key(8))
    assert stats.ks_2samp(a.ravel(), b.ravel()).pvalue < 1e-4


def test_orthogonal_is_orthogonal_and_delta_orthogonal_is_a_centre_tap():
    q = sample(wj.orthogonal(2.0), (3, 3, 16, 200)).reshape(-1, 200)  # 144 × 200: orthonormal rows
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(144), atol=1e-5)
    d = sample(wj.delta_orthogonal(), (3, 5, 16, 24))
    centre = d[1, 2]
    np.testing.assert_allclose(centre @ centre.T, np.eye(16), atol=1e-5)
    d[1, 2] = 0
    assert not d.any()
    with pytest.raises(ValueError, match="less or equal"):
        wj.delta_orthogonal()(KEY, (3, 3, 24, 16))


def test_keys_are_seeds():
    assert wj.key_seed(jax.random.key(42)) == 42
    assert wj.key_seed(jax.random.PRNGKey(42)) == 42
    assert wj.key_seed(jax.random.key(2 ** 32 - 1)) == 2 ** 32 - 1
    a = sample(wj.he_uniform(), (40, 30), jax.random.key(42))
    assert np.array_equal(a, sample(wj.he_uniform(), (40, 30), jax.random.PRNGKey(42)))
    assert np.array_equal(a, sample(wj.he_uniform(seed=42), (40, 30), jax.random.key(5)))  # seed= overrides
    assert not np.array_equal(a, sample(wj.he_uniform(), (40, 30), jax.random.key(43)))
    assert not np.array_equal(a, sample(wj.he_uniform(stream=1), (40, 30), jax.random.key(42)))
    rbg = jax.random.key(42, impl="rbg")
    words = np.asarray(jax.random.key_data(rbg), dtype=np.uint32)
    expected = 0xCBF29CE484222325
    for byte in words.astype("<u4").tobytes():
        expected = ((expected ^ byte) * 0x100000001B3) & (2 ** 64 - 1)
    assert len(words) == 4 and wj.key_seed(rbg) == expected
    with pytest.raises(ValueError, match="one key"):
        wj.he_uniform()(jax.random.split(KEY, 3), (4, 4))
    with pytest.raises(TypeError, match="JAX key"):
        wj.he_uniform()(np.zeros(2, np.int32), (4, 4))


def test_jit_and_vmap_give_the_eager_values():
    init = wj.glorot_normal(stream=3)
    eager = sample(init, (3, 3, 8, 16))
    assert np.array_equal(eager, np.asarray(jax.jit(lambda k: init(k, (3, 3, 8, 16)))(KEY), np.float64))
    keys = jax.random.split(KEY, 4)
    batched = np.asarray(jax.vmap(lambda k: init(k, (20, 10)))(keys))
    assert batched.shape == (4, 20, 10)
    for i in range(4):
        assert np.array_equal(batched[i], np.asarray(init(keys[i], (20, 10))))
    assert jax.eval_shape(lambda k: init(k, (5, 7), jnp.bfloat16), KEY).dtype == jnp.bfloat16


def test_jax_refuses_what_jax_refuses():
    with pytest.raises(ValueError, match="Can't compute input and output sizes"):
        wj.glorot_uniform()(KEY, (10,))
    with pytest.raises(ValueError, match="invalid mode"):
        wj.variance_scaling(1.0, "fan_sum", "normal")
    with pytest.raises(ValueError, match="invalid distribution"):
        wj.variance_scaling(1.0, "fan_in", "untruncated_normal")
    with pytest.raises(NotImplementedError):
        wj.orthogonal()(KEY, (4, 4), out_sharding=object())
    with pytest.raises(TypeError, match="float32, float64, float16 and bfloat16"):
        wj.normal()(KEY, (4,), jnp.int32)


# ---- The CLI's bytes: (our initializer, its shape, the CLI scheme, the torch shape, the CLI extra options,
# the axes that take the CLI's array to ours)
IDENTITY = [
    ("glorot_uniform dense", wj.glorot_uniform(), (64, 32), "xavier-uniform", (32, 64), (), (1, 0)),
    ("he_normal conv HWIO", wj.he_normal(), (3, 3, 8, 16), "kaiming-normal --truncated", (16, 8, 3, 3), (),
     (2, 3, 1, 0)),
    ("lecun_normal batch axis", wj.lecun_normal(batch_axis=0), (3, 20, 10), "lecun-normal --truncated", (3, 10, 20),
     ("--fan-in", "20", "--fan-out", "10"), (0, 2, 1)),
    ("variance_scaling fan_avg uniform", wj.variance_scaling(0.7, "fan_avg", "uniform"), (5, 40, 24),
     "variance-scaling --scale 0.7 --mode fan-avg --distribution uniform", (24, 40, 5), (), (2, 1, 0)),
    ("normal", wj.normal(0.02), (48, 64), "normal --std 0.02", (64, 48), (), (1, 0)),
    ("normal 1-D", wj.normal(0.02), (48,), "normal --std 0.02", (48,), (), (0,)),
    ("normal layout=torch", wj.normal(0.02, layout="torch"), (100, 16), "normal --std 0.02", (100, 16), (), (0, 1)),
    ("uniform", wj.uniform(3.0), (10, 7), "uniform --low 0 --high 3", (7, 10), (), (1, 0)),
    ("truncated_normal", wj.truncated_normal(0.5, lower=-1.0, upper=3.0), (10, 7),
     "truncated-normal --std 0.5 --low -0.5 --high 1.5", (7, 10), (), (1, 0)),
    ("orthogonal HWIO", wj.orthogonal(1.5), (3, 3, 8, 16), "orthogonal --gain 1.5", (16, 8, 3, 3), (), (2, 3, 1, 0)),
    ("delta_orthogonal", wj.delta_orthogonal(), (3, 3, 8, 16), "delta-orthogonal", (16, 8, 3, 3), (), (2, 3, 1, 0)),
    ("uniform_fan_in", wj.uniform_fan_in(), (64, 32), "uniform-fan-in", (32, 64), (), (1, 0)),
    ("from_scheme", wj.from_scheme("kaiming-uniform --nonlinearity tanh"), (3, 16, 8),
     "kaiming-uniform --nonlinearity tanh", (8, 16, 3), (), (2, 1, 0)),
    ("glorot_uniform equinox Linear", wj.glorot_uniform(in_axis=-1, out_axis=-2), (32, 64), "xavier-uniform",
     (32, 64), (), (0, 1)),
]


@pytest.mark.parametrize("dtype", ["f32", "bf16"])
@pytest.mark.parametrize("init, shape, scheme, torch_shape, extra, axes", [case[1:] for case in IDENTITY],
                         ids=[case[0] for case in IDENTITY])
def test_the_clis_bytes_under_the_layout_rule(cli, init, shape, scheme, torch_shape, extra, axes, dtype):
    seed, stream = 1234, 0
    jdtype = {"f32": jnp.float32, "bf16": jnp.bfloat16}[dtype]
    ours = np.asarray(init(jax.random.key(seed), shape, jdtype))
    raw, written = cli(scheme, torch_shape, dtype, seed, stream, extra)
    expected = np.frombuffer(raw, dtype=ours.dtype).reshape(written).transpose(axes)
    assert ours.tobytes() == np.ascontiguousarray(expected).tobytes()
    assert init.describe(shape, seed).startswith("weightinit generate " + scheme.split()[0])


def test_zeros_ones_constant():
    assert np.array_equal(wj.zeros(KEY, (2, 3)), np.zeros((2, 3)))
    assert np.array_equal(wj.ones(KEY, (2, 3), jnp.bfloat16), np.ones((2, 3)))
    assert wj.ones(KEY, (2,), jnp.bfloat16).dtype == jnp.bfloat16
    assert np.array_equal(wj.constant(0.25)(KEY, (4,)), np.full(4, 0.25))


def test_every_name_of_jax_nn_initializers():
    public = {name for name in dir(J) if not name.startswith("_")}
    assert public <= set(wj.__all__), public - set(wj.__all__)


@pytest.mark.parametrize("name", [n for n in wj.__all__ if n not in ("Initializer",)])
def test_documented_and_typed(name):
    import inspect

    function = getattr(wj, name)
    doc = inspect.getdoc(function) or ""
    assert ">>>" in doc, "%s has no example" % name
    if name not in ("key_seed", "from_scheme"):
        assert "JAX:" in doc or "jax.nn.initializers" in doc, "%s names no JAX counterpart" % name
    signature = inspect.signature(function)
    assert signature.return_annotation is not inspect.Signature.empty, name
    assert all(p.annotation is not inspect.Parameter.empty for p in signature.parameters.values() if p.name != "key"), name


# ---- Models

def test_flax_model_initialises_and_trains_a_step():
    nn = pytest.importorskip("flax.linen", reason="flax is not importable here")
    optax = pytest.importorskip("optax", reason="optax is not importable here")

    class Net(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = nn.Conv(8, (3, 3), kernel_init=wj.he_normal(), bias_init=wj.zeros)(x)
            x = nn.relu(x).reshape((x.shape[0], -1))
            x = nn.Dense(16, kernel_init=wj.glorot_uniform(seed=5, stream=1))(x)
            return nn.Dense(2, kernel_init=wj.orthogonal())(nn.tanh(x))

    model = Net()
    x = jax.random.normal(jax.random.key(1), (4, 6, 6, 3))
    y = jnp.array([0, 1, 1, 0])
    params = jax.jit(model.init)(jax.random.key(0), x)
    eager = model.init(jax.random.key(0), x)
    assert jax.tree_util.tree_all(jax.tree_util.tree_map(lambda a, b: bool((a == b).all()), params, eager))
    dense = np.asarray(params["params"]["Dense_0"]["kernel"])
    from weightinit import init
    assert np.array_equal(dense, init.xavier_uniform_(np.empty((16, 288), np.float32), seed=5, stream=1).T)

    def loss(p):
        logits = model.apply(p, x)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    optimizer = optax.sgd(0.1)
    state = optimizer.init(params)
    before, grads = jax.value_and_grad(loss)(params)
    updates, state = optimizer.update(grads, state)
    after = loss(optax.apply_updates(params, updates))
    assert np.isfinite(float(before)) and float(after) < float(before)


def test_equinox_linear_takes_torch_layout():
    eqx = pytest.importorskip("equinox", reason="equinox is not importable here")
    linear = eqx.nn.Linear(32, 64, key=KEY)  # weight (out, in), as torch
    weight = wj.glorot_uniform(layout="torch", seed=9)(None, linear.weight.shape)
    linear = eqx.tree_at(lambda m: m.weight, linear, weight)
    from weightinit import init
    assert np.array_equal(np.asarray(linear.weight), init.xavier_uniform_(np.empty((64, 32), np.float32), seed=9))
    grads = jax.grad(lambda m: jnp.sum(m(jnp.ones(32)) ** 2))(linear)
    assert np.isfinite(np.asarray(grads.weight)).all()
