"""An attacker's round on the Python surfaces over the model plans
(weightinit.models.Plan, weightinit.init_module): inputs found to be
mishandled, each refused clearly or handled as documented, with nothing
written on error. The torch cases skip, with the reason, where torch is
not importable."""
import numpy as np
import pytest

import weightinit
from weightinit.models import Plan

CONTROL = [chr(c) for c in list(range(0x20)) + list(range(0x7F, 0xA0))]


def no_control(text):
    return not any(c in text for c in CONTROL if c != "\n")


def test_describe_escapes_control_characters_in_tensor_names():
    """A state_dict's names come from anywhere (a checkpoint file); describe() is printed on a terminal."""
    plan = Plan("torch-defaults", [("x\x1b[31m.weight", (4, 3), "f32"), ("x\x1b[31m.bias", (4,), "f32")])
    text = plan.describe()
    assert no_control(text), text
    assert "x\\u{1B}[31m.weight 4×3 f32" in text
    # The name itself, as a key, is unchanged.
    assert plan["x\x1b[31m.weight"].name == "x\x1b[31m.weight"


def test_nan_in_dict_rules_or_config_is_a_python_value_error_naming_it():
    with pytest.raises(ValueError, match="not a finite number"):
        Plan({"name": "x", "rules": [{"match": "*", "scheme": "normal --std 1"}], "variables": {"s": float("nan")}},
             [("a", (2,), "f32")])
    with pytest.raises(ValueError, match="not a finite number"):
        Plan.from_config({"model_type": "llama", "hidden_size": float("inf")})


def torch_or_skip():
    return pytest.importorskip("torch", reason="torch is not importable here, so the attack cases on torch tensors "
                               "and init_module did not run; run them in an environment with torch")


def test_fill_into_a_negated_torch_view_reads_back_as_the_values():
    """x._neg_view() reads its memory negated; weightinit.fill stages such a view, Plan.fill wrote raw bytes."""
    torch = torch_or_skip()
    plan = Plan("torch-defaults", [("a.weight", (4, 3), "f32")], seed=1)
    expected = plan.fill("a.weight")
    view = torch.zeros(4, 3)._neg_view()
    plan.fill("a.weight", out=view)
    assert view.resolve_neg().numpy().tobytes() == expected.tobytes()


def test_init_module_fills_a_module_whose_tied_weight_another_rule_takes_fans_from():
    """b.weight is a.weight: b.bias's rule takes its fans from b.weight (torch-defaults), which the plan must hold."""
    torch = torch_or_skip()

    class Tied(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Linear(3, 5)
            self.b = torch.nn.Linear(3, 5)
            self.b.weight = self.a.weight

    module = Tied()
    report = weightinit.init_module(module, "torch-defaults", seed=2)
    assert [t.name for t in report] == ["a.weight", "a.bias", "b.bias"]
    assert report[0].tied == ("b.weight",)
    plan = Plan("torch-defaults", [("a.weight", (5, 3), "f32"), ("a.bias", (5,), "f32"), ("b.weight", (5, 3), "f32"),
                                   ("b.bias", (5,), "f32")], seed=2)
    for name in ("a.weight", "a.bias", "b.bias"):
        assert module.state_dict()[name].numpy().tobytes() == plan.fill(name).tobytes(), name
    assert module.b.weight is module.a.weight


def test_init_module_report_escapes_names_and_rules_text():
    torch = torch_or_skip()
    module = torch.nn.Module()
    module.add_module("x\x1b[31m", torch.nn.Linear(2, 2))
    report = weightinit.init_module(module, "torch-defaults", dry_run=True)
    assert no_control(str(report)), str(report)
    # JSON text may hold a carriage return between its tokens; the report names the rules by that text.
    rules = '{"name": "r",\r"rules": [{"match": "*", "scheme": "zeros"}]}'
    report = weightinit.init_module(torch.nn.Linear(2, 2), rules, dry_run=True)
    assert no_control(str(report)), str(report)


def test_init_module_checks_threads_before_anything_even_in_a_dry_run():
    torch = torch_or_skip()
    module = torch.nn.Linear(3, 4)
    with pytest.raises(TypeError, match="threads"):
        weightinit.init_module(module, "torch-defaults", threads="4", dry_run=True)
    with pytest.raises(TypeError, match="threads"):
        weightinit.init_module(module, "torch-defaults", threads=True, dry_run=True)


def test_an_interrupt_inside_thread_start_still_cancels_and_waits_for_the_fill(monkeypatch):
    """Ctrl-C can land in Thread.start()'s own wait, after the fill's thread was launched: the fill went on
    writing into `out` after KeyboardInterrupt reached the caller (a half-filled array, and a crash once the
    array was freed). Now the library is cancelled and waited for. Simulated deterministically: start()
    raises KeyboardInterrupt after launching; the library's cancellable fill is replaced by one that writes
    nothing and returns only once cancelled (or released by this test)."""
    import ctypes
    import threading
    import time

    from weightinit import _library as L

    library = L.load()[0]
    state = {"release": False, "returned": False}

    def fake(*arguments):
        flag = ctypes.cast(arguments[-1], ctypes.POINTER(ctypes.c_int32)).contents
        while not flag.value and not state["release"]:
            time.sleep(0.001)
        state["returned"] = True
        return 8  # any failure status: the caller raises KeyboardInterrupt anyway

    start = threading.Thread.start

    def interrupted_start(thread):
        start(thread)
        if thread.name == "weightinit fill":
            raise KeyboardInterrupt

    monkeypatch.setattr(library, "weightinit_fill_region_cancellable", fake)
    monkeypatch.setattr(threading.Thread, "start", interrupted_start)
    plan = Plan("torch-defaults", [("a.weight", (2048, 2048), "f32")])  # 2^22 elements: the cancellable path
    out = np.zeros((2048, 2048), np.float32)
    try:
        with pytest.raises(KeyboardInterrupt):
            plan.fill("a.weight", out=out)
        assert state["returned"], "the fill's thread was still in the library when KeyboardInterrupt was raised"
    finally:
        state["release"] = True
    assert not out.any()


def test_init_module_still_fills_a_tied_module_whose_other_name_no_rule_covers():
    """Planning a tied tensor's other names must not make them need a rule of their own."""
    torch = torch_or_skip()

    class Tied(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Linear(3, 3)
            self.b = torch.nn.Linear(3, 3, bias=False)
            self.b.weight = self.a.weight

    module = Tied()
    report = weightinit.init_module(module, {"name": "r", "rules": [{"match": "a.*", "scheme": "ones"}]})
    assert [(t.name, t.tied) for t in report] == [("a.weight", ("b.weight",)), ("a.bias", ())]
    assert bool((module.b.weight == 1).all()) and bool((module.a.bias == 1).all())
