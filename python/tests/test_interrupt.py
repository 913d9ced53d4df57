"""Long fills can be cancelled: Ctrl-C raises KeyboardInterrupt promptly and
leaves the tensor untouched (ABI 1.1, weightinit_fill_region_cancellable).

A shard of sparse reads every row's rank key of its columns, so a one-row
shard of a (2³², 4) tensor costs seconds; these tests cancel it at once and
check that nothing was written. No timing is asserted: a fill that ignored
the flag would run to the end and write its values, which the tests see.
"""
import ctypes
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import weightinit
from weightinit import _core, _library as L, init

SENTINEL = np.float32(-7.25)
HUGE = (1 << 32, 4)  # sparse's most rows


def sentinel_array(shape, dtype=np.float32):
    return np.full(shape, SENTINEL, dtype)


def cancellable(array, scheme, full, start, stop, flag):
    library = L.load()[0]
    return library.weightinit_fill_region_cancellable(
        _core.parse(scheme), array.ctypes.data, array.nbytes, L.F32, len(full), _core._dims(full),
        _core._dims(tuple(start)), _core._dims(tuple(stop)), L.LAYOUT_TORCH, 0, 0, 7, 1, 0,
        None if flag is None else ctypes.byref(flag))


@pytest.mark.parametrize("scheme", ["sparse --sparsity 0.5", "normal", "orthogonal", "eye"])
def test_a_flag_set_before_the_call_cancels_and_writes_nothing(scheme):
    array = sentinel_array((4, 4))
    status = cancellable(array, scheme, (4, 4), (0, 0), (4, 4), ctypes.c_int32(1))
    assert weightinit.status_name(status) == "WEIGHTINIT_ERROR_CANCELLED"
    assert (array == SENTINEL).all()
    assert b"cancel" in L.load()[0].weightinit_last_error()


def test_a_flag_left_clear_fills_the_bytes_of_the_plain_fill():
    for flag in (ctypes.c_int32(0), None):
        array = sentinel_array((6, 5))
        assert cancellable(array, "sparse --sparsity 0.4", (6, 5), (0, 0), (6, 5), flag) == L.OK
        expected = init.sparse_(sentinel_array((6, 5)), sparsity=0.4, seed=7, stream=1)
        assert array.tobytes() == expected.tobytes()


def test_a_flag_set_while_the_keys_are_scanned_cancels():
    array = sentinel_array((1, 4))
    flag = ctypes.c_int32(0)
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(
        cancellable(array, "sparse --sparsity 0.5", HUGE, (5, 0), (6, 4), flag)))
    worker.start()
    flag.value = 1  # the scan of 2³⁴ keys has at most begun
    worker.join()
    assert weightinit.status_name(outcome[0]) == "WEIGHTINIT_ERROR_CANCELLED"
    assert (array == SENTINEL).all()


def test_more_rows_than_sparse_ranks_are_refused_at_once():
    array = sentinel_array((1, 4))
    with pytest.raises(weightinit.WeightInitValueError, match="sparse takes at most 2³² rows"):
        init.sparse_(array, sparsity=0.5, shard=(0, 1 << 40, 0), full_shape=(1 << 40, 4))
    assert (array == SENTINEL).all()


class InterruptedOnce(threading.Thread):
    """A thread whose first join is interrupted, as Ctrl-C interrupts the main thread's wait."""
    interrupted = 0

    def join(self, timeout=None):
        if InterruptedOnce.interrupted == 0:
            InterruptedOnce.interrupted += 1
            raise KeyboardInterrupt
        return super().join(timeout)


def test_keyboard_interrupt_cancels_the_fill_and_leaves_the_tensor_untouched(monkeypatch):
    monkeypatch.setattr(_core.threading, "Thread", InterruptedOnce)
    array = sentinel_array((1, 4))
    with pytest.raises(KeyboardInterrupt):
        init.sparse_(array, sparsity=0.5, shard=(3, HUGE[0], 0), full_shape=HUGE)
    assert InterruptedOnce.interrupted == 1
    assert (array == SENTINEL).all()
    assert not any(t.name == "weightinit fill" for t in threading.enumerate()), "the fill thread outlived the call"


def test_large_fills_on_the_cancellable_path_give_the_cli_bytes(cli):
    shape = (2048, 2048)  # 2²² elements: the worker-thread path
    assert _core._may_take_long(shape)
    array = init.normal_(np.empty(shape, np.float32), std=0.5, seed=3, stream=2)
    assert array.tobytes() == cli("normal --std 0.5", shape, seed=3, stream=2)[0]
    half = init.normal_(np.empty((1024, 2048), np.float32), std=0.5, seed=3, stream=2, shard=(1, 2, 0), full_shape=shape)
    assert half.tobytes() == array[1024:].tobytes()


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs POSIX signals")
def test_ctrl_c_interrupts_a_long_fill_in_another_process():
    """A real SIGINT while `python` waits for the fill: KeyboardInterrupt,
    the array untouched. (Sent after the child says it is about to fill: if
    it arrived before the call, the array would be untouched as well.)"""
    child = textwrap.dedent("""
        import sys
        import numpy as np
        sys.path.insert(0, sys.argv[1])
        from weightinit import init
        array = np.full((1, 4), -7.25, np.float32)
        try:
            print("filling", flush=True)  # inside the try: the signal may come at once
            init.sparse_(array, sparsity=0.5, shard=(3, 1 << 32, 0), full_shape=(1 << 32, 4))
            print("finished")
        except KeyboardInterrupt:
            print("interrupted", "untouched" if (array == -7.25).all() else "written")
    """)
    python = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    process = subprocess.Popen([sys.executable, "-c", child, python], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "filling\n"
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=600)
    assert output == "interrupted untouched\n"
    assert process.returncode == 0


def test_a_large_negated_torch_view_reads_back_the_values():
    """The worker-thread path finishes as the direct one does: a view with
    the negation bit is staged, then copied in."""
    torch = pytest.importorskip("torch", reason="torch is not importable here, so the negated-view fill did not run")
    view = torch.zeros(2048, 2048)._neg_view()
    assert view.is_neg() and _core._may_take_long(tuple(view.shape))
    init.normal_(view, seed=3)
    assert torch.equal(view, init.normal_(torch.empty(2048, 2048), seed=3))


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs POSIX signals")
def test_ctrl_c_during_init_module_leaves_every_tensor_whole_or_untouched():
    """A real SIGINT while init_module fills a module's tensors one by one:
    KeyboardInterrupt reaches the caller, and no tensor is half-filled —
    each still holds its sentinel everywhere (not reached, or cancelled
    before any value was written) or nowhere (filled whole). Sixteen
    2048² orthogonal weights (each from 2²² elements: the cancellable
    path) take seconds, so the signal lands inside the call. Nothing may
    write into the module after the exception (the child looks again two
    seconds later: a fill left running would have written by then)."""
    pytest.importorskip("torch", reason="torch is not importable here, so init_module's Ctrl-C test did not run")
    child = textwrap.dedent("""
        import sys
        import time
        import torch
        sys.path.insert(0, sys.argv[1])
        import weightinit
        module = torch.nn.Sequential(*[torch.nn.Linear(2048, 2048) for _ in range(16)])
        with torch.no_grad():
            for parameter in module.parameters():
                parameter.fill_(-7.25)
        rules = {"rules": [{"match": "*.weight", "scheme": "orthogonal"}, {"match": "*.bias", "scheme": "zeros"}]}
        try:
            print("initialising", flush=True)  # inside the try: the signal may come at once
            weightinit.init_module(module, rules, seed=5, threads=1)
            print("finished")
        except KeyboardInterrupt:
            snapshot = [parameter.detach().clone() for parameter in module.parameters()]
            states = []
            for parameter in snapshot:
                sentinel = parameter == -7.25
                states.append("untouched" if bool(sentinel.all()) else "whole" if not bool(sentinel.any()) else "mixed")
            time.sleep(2)  # a fill still running behind the caller's back would write by now
            later = all(torch.equal(a, b) for a, b in zip(snapshot, module.parameters()))
            print("interrupted", " ".join(states), "unchanged" if later else "changed-after-return")
    """)
    python = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    process = subprocess.Popen([sys.executable, "-c", child, python], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "initialising\n"
    time.sleep(1)  # into the fills (~0.3–0.5 s each here); earlier or later, the assertions hold all the same
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=600)
    words = output.split()
    assert words[:1] == ["interrupted"], output
    assert len(words) == 1 + 32 + 1 and "mixed" not in words, output
    assert "untouched" in words, output  # the call was cut short, not finished
    assert words[-1] == "unchanged", output  # nothing wrote into the module after KeyboardInterrupt
    assert process.returncode == 0
