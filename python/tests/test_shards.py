"""shard=(index, count, dim) with full_shape=: each block holds exactly the
bytes of that block of the whole tensor, so the blocks concatenate to it."""
import numpy as np
import pytest

import weightinit
from weightinit import init

SCHEMES = [
    ("kaiming_normal_", lambda t, **k: init.kaiming_normal_(t, nonlinearity="relu", **k), (12, 10)),
    ("xavier_uniform_", lambda t, **k: init.xavier_uniform_(t, **k), (6, 5, 3)),
    ("trunc_normal_", lambda t, **k: init.trunc_normal_(t, std=0.02, a=-0.04, b=0.04, **k), (9, 7)),
    ("he_normal_", lambda t, **k: init.he_normal_(t, **k), (5, 8)),
    ("sparse_", lambda t, **k: init.sparse_(t, 0.4, **k), (10, 6)),
    ("eye_", lambda t, **k: init.eye_(t, **k), (7, 9)),
    ("dirac_", lambda t, **k: init.dirac_(t, **k), (6, 4, 3)),
    ("orthogonal_", lambda t, **k: init.orthogonal_(t, **k), (8, 12)),
    ("delta_orthogonal_", lambda t, **k: init.delta_orthogonal_(t, **k), (6, 4, 3, 3)),
    ("constant_", lambda t, **k: init.constant_(t, 0.5, **k), (5, 4)),
]


def blocks(call, shape, count, dim, dtype):
    """The `count` shards along `dim`, each filled on its own."""
    out = []
    for index in range(count):
        start, stop = weightinit.shard_range(index, count, shape[dim])
        block = np.empty(shape[:dim] + (stop - start,) + shape[dim + 1:], dtype=dtype)
        assert call(block, seed=3, stream=4, shard=(index, count, dim), full_shape=shape) is block
        out.append(block)
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("index", range(len(SCHEMES)), ids=[s[0] for s in SCHEMES])
def test_shards_concatenate_to_the_whole(index, dtype):
    _, call, shape = SCHEMES[index]
    whole = call(np.empty(shape, dtype=dtype), seed=3, stream=4)
    for dim in range(len(shape)):
        for count in {1, 2, 3, shape[dim]}:
            joined = np.concatenate(blocks(call, shape, count, dim, dtype), axis=dim)
            assert joined.tobytes() == whole.tobytes(), "shards %d along %d" % (count, dim)


def test_negative_dim_counts_from_the_end():
    shape = (4, 6)
    a = init.normal_(np.empty((4, 2), np.float32), seed=1, shard=(1, 3, -1), full_shape=shape)
    b = init.normal_(np.empty((4, 2), np.float32), seed=1, shard=(1, 3, 1), full_shape=shape)
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("dim", [0, 1])
def test_shard_equals_the_cli_shard(cli, dim):
    shape = (10, 12)
    for index in range(3):
        start, stop = weightinit.shard_range(index, 3, shape[dim])
        block_shape = (stop - start, 12) if dim == 0 else (10, stop - start)
        block = init.xavier_normal_(np.empty(block_shape, np.float32), seed=8, stream=2,
                                    shard=(index, 3, dim), full_shape=shape)
        expected, written = cli("xavier-normal", shape, "f32", 8, 2, ("--shard", "%d/3" % index, "--shard-dim", str(dim)))
        assert written == block_shape
        assert block.tobytes() == expected


def test_shard_range_is_the_cli_rule():
    assert [weightinit.shard_range(i, 4, 10) for i in range(4)] == [(0, 2), (2, 4), (4, 6), (6, 10)]


def test_fans_come_from_the_full_shape():
    # A row block has fan_out 16 (the full shape), not 4 (its own): the same normals, half the scale.
    block = init.kaiming_normal_(np.empty((4, 8), np.float64), mode="fan_out", seed=1, shard=(0, 4, 0),
                                 full_shape=(16, 8))
    own = init.kaiming_normal_(np.empty((4, 8), np.float64), mode="fan_out", seed=1)
    assert np.allclose(block * 2, own) and not np.array_equal(block, own)
