"""init_module on sharded modules (issue 23): torch.multiprocessing.spawn with
gloo on CPU, world sizes 1, 2 and 4 (4 ranks on 2 cores: correctness only) —
FSDP2's fully_shard alone, tensor parallelism alone, and FSDP × TP on a 2 × 2
mesh (distributed_cases.py builds them on meta, uneven on purpose). The
gathered full tensors must be byte-identical across all of them, to a
single-process init_module and to the CLI's checkpoint, and each rank must
have filled exactly the blocks DTensor places on it.

Skipped, with the reason, where torch (or its distributed package) is not importable.
"""
import os
import sys

import pytest

torch = pytest.importorskip(
    "torch", reason="torch is not importable here, so the distributed init_module tests (FSDP2, TP, 2-D meshes "
    "over gloo) did not run; run them in an environment with torch")
safetensors_torch = pytest.importorskip("safetensors.torch", reason="safetensors is not importable")
if not torch.distributed.is_available() or not torch.distributed.is_gloo_available():
    pytest.skip("this torch has no distributed package with gloo, so the distributed tests did not run",
                allow_module_level=True)

import torch.multiprocessing as mp  # noqa: E402

import weightinit  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distributed_cases as cases  # noqa: E402
from test_init_module import cli_like  # noqa: E402

RUNS = {1: ["fsdp"], 2: ["fsdp", "tp"], 4: ["fsdp", "tp", "fsdp+tp"]}


@pytest.fixture(scope="module")
def gathered(tmp_path_factory):
    """{(world, layout): {name: full tensor}} and {(world, layout): [per-rank blocks]} from one spawn per world size."""
    directory = tmp_path_factory.mktemp("distributed")
    tensors, blocks = {}, {}
    for world, layouts in RUNS.items():
        output = str(directory / ("world%d.pt" % world))
        mp.spawn(cases.rank_main, args=(world, layouts, str(directory / ("store%d" % world)), output), nprocs=world)
        saved = torch.load(output)
        for layout in layouts:
            tensors[(world, layout)] = saved["tensors"][layout]
            blocks[(world, layout)] = saved["blocks"][layout]
    return tensors, blocks


@pytest.fixture(scope="module")
def single():
    module = cases.Net()
    weightinit.init_module(module, "torch-defaults", seed=cases.SEED)
    return {name: t.detach().clone() for name, t in module.state_dict().items()}


def raw(tensor):
    return tensor.contiguous().view(-1).view(torch.uint8).numpy().tobytes()


@pytest.mark.parametrize("world,layout", [(w, l) for w, ls in RUNS.items() for l in ls])
def test_gathered_tensors_equal_a_single_process_run(gathered, single, world, layout):
    tensors = dict(gathered[0][(world, layout)])
    forward = tensors.pop("forward()", None)
    assert set(tensors) == set(single)
    if layout == "fsdp":  # FSDP2's forward all-gathers the very storage init_module filled
        module = cases.Net()
        module.load_state_dict(single)
        torch.testing.assert_close(forward, module(cases.INPUT), rtol=1e-6, atol=1e-6)
    for name, tensor in single.items():
        assert raw(tensors[name]) == raw(tensor), (world, layout, name)


def test_single_process_equals_the_cli(tmp_path, single):
    module = cases.Net()
    expected = cli_like(tmp_path, module, "torch-defaults", seed=cases.SEED)
    for name, tensor in single.items():
        assert raw(expected[name]) == raw(tensor), name


def test_each_rank_filled_the_blocks_dtensor_places_on_it(gathered):
    blocks = gathered[1]
    # FSDP2 over 4 ranks: 7 rows as 2+2+2+1, the head's 3 rows as 1+1+1+0 (rank 3 holds nothing).
    fsdp = blocks[(4, "fsdp")]
    assert [fsdp[r]["up.weight"][0] for r in range(4)] == [(((0, 2), (0, 6)),), (((2, 4), (0, 6)),),
                                                           (((4, 6), (0, 6)),), (((6, 7), (0, 6)),)]
    assert [fsdp[r]["head.bias"][0] for r in range(4)] == [(((0, 1),),), (((1, 2),),), (((2, 3),),), ()]
    # Tensor parallel over 2: up column-wise (rows 4+3), down row-wise (columns 4+3), its bias replicated.
    tp = blocks[(2, "tp")]
    assert [tp[r]["down.weight"][0] for r in range(2)] == [(((0, 6), (0, 4)),), (((0, 6), (4, 7)),)]
    assert [tp[r]["down.bias"][0] for r in range(2)] == [(((0, 6),),), (((0, 6),),)]
    assert tp[0]["norm.weight"] == (None, "tensor")
    # FSDP x TP on 2 x 2: both shard up.weight's rows (FSDP2 over TP: _StridedShard); the 4 ranks hold each row once.
    mesh = blocks[(4, "fsdp+tp")]
    rows = sorted(region[0] for r in range(4) for region in mesh[r]["up.weight"][0])
    assert rows == [(0, 2), (2, 4), (4, 6), (6, 7)]
    assert "on mesh (2, 2)" in mesh[0]["up.weight"][1]
