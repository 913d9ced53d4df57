"""Torch tensors whose memory is not simply their values — views with the
negation bit, conjugate views, inference tensors, ZeroTensors — are filled
as torch.nn.init fills them, or refused as torch.nn.init refuses them; each
case is checked against torch.nn.init itself.

Skipped, with the reason in pytest's summary (-rs), when torch is not
importable: the default test command does not install it.
"""
import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason="torch is not importable here, so the tests of negation-bit views, conjugate views, inference "
    "tensors and ZeroTensors did not run; run them in an environment with torch")

import weightinit  # noqa: E402
from weightinit import init  # noqa: E402

DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16]


def bits(tensor):
    """The values a tensor reads as, as raw bits (exact, -0.0 and 0.0 apart)."""
    plain = tensor.resolve_neg().resolve_conj().contiguous()
    return plain.view(-1).view(torch.uint8).numpy().tobytes()


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_negation_bit_view_reads_back_as_the_values(dtype):
    storage = torch.full((5, 7), 3.0, dtype=dtype)
    view = storage._neg_view()
    assert view.is_neg() and view.is_contiguous()
    assert init.kaiming_normal_(view, seed=4, stream=2) is view
    expected = init.kaiming_normal_(torch.empty(5, 7, dtype=dtype), seed=4, stream=2)
    assert bits(view) == bits(expected)
    # The memory holds the negated values, as after torch's own fills of the view.
    assert torch.equal(storage, -expected)


def test_negation_bit_views_are_filled_as_torch_nn_init_fills_them():
    # torch.nn.init writes values that read back as what it drew: the same here.
    for ours, theirs in [(lambda t: init.constant_(t, 0.5), lambda t: torch.nn.init.constant_(t, 0.5)),
                         (lambda t: init.ones_(t), torch.nn.init.ones_),
                         (lambda t: init.eye_(t), torch.nn.init.eye_),
                         (lambda t: init.zeros_(t), torch.nn.init.zeros_)]:
        a, b = torch.full((3, 4), 7.0), torch.full((3, 4), 7.0)
        ours(a._neg_view())
        theirs(b._neg_view())
        assert bits(a) == bits(b) and bits(a._neg_view()) == bits(b._neg_view())


def test_imaginary_part_of_a_conjugate_view():
    # z.conj().imag is a real view with the negation bit (contiguous when it holds one element).
    z = torch.zeros(1, dtype=torch.complex64)
    view = z.conj().imag
    assert view.is_neg() and view.is_contiguous()
    init.constant_(view, 0.25)
    reference = torch.zeros(1, dtype=torch.complex64)
    torch.nn.init.constant_(reference.conj().imag, 0.25)
    assert view.item() == 0.25 and z.imag.item() == -0.25
    assert torch.equal(z, reference)


def test_negation_bit_view_of_a_parameter_bumps_its_version():
    weight = torch.nn.Parameter(torch.zeros(4, 3))
    version = weight._version
    init.normal_(weight._neg_view(), seed=1)
    assert weight._version > version
    assert bits(weight) == bits(-init.normal_(torch.empty(4, 3), seed=1))


def test_failed_fill_of_a_negation_bit_view_writes_nothing():
    storage = torch.full((4, 6), 7.0)
    with pytest.raises(weightinit.WeightInitValueError):
        init.normal_(storage._neg_view(), std=-1)
    with pytest.raises(weightinit.WeightInitValueError):
        init.eye_(storage.reshape(2, 2, 6)._neg_view())
    assert (storage == 7).all()


def test_conjugate_views_are_complex_and_refused():
    # The conjugate bit exists only on complex tensors, which are not filled (TypeError), bit set or not.
    z = torch.full((4,), 1 + 2j, dtype=torch.complex64)
    view = z.conj()
    assert view.is_conj()
    with pytest.raises(TypeError, match="float32, float64, float16 or bfloat16"):
        init.normal_(view)
    assert (z == 1 + 2j).all()


def test_inference_tensor_outside_inference_mode_is_refused_as_torch_refuses_it():
    with torch.inference_mode():
        tensor, theirs = torch.full((4, 6), 7.0), torch.full((4, 6), 7.0)
    assert tensor.is_inference()
    # torch raises (after writing, as it happens: its version counter is checked last); ours before.
    with pytest.raises(RuntimeError, match="inference tensor"):
        torch.nn.init.normal_(theirs)
    with pytest.raises(ValueError, match="inference tensor .* inside torch.inference_mode"):
        init.normal_(tensor, seed=1)
    assert (tensor == 7).all()


def test_inference_tensor_inside_inference_mode_is_filled():
    expected = init.xavier_normal_(torch.empty(4, 6), seed=9)
    with torch.inference_mode():
        tensor = torch.full((4, 6), 7.0)
        torch.nn.init.xavier_normal_(torch.empty(4, 6))  # torch fills it here too
        assert init.xavier_normal_(tensor, seed=9) is tensor
    assert bits(tensor) == bits(expected)


def test_ordinary_tensor_inside_inference_mode_is_filled():
    tensor = torch.full((4, 6), 7.0)
    with torch.inference_mode():
        init.xavier_normal_(tensor, seed=9)
    assert bits(tensor) == bits(init.xavier_normal_(torch.empty(4, 6), seed=9))


def test_zero_tensor_is_refused_as_torch_refuses_it():
    tensor = torch._efficientzerotensor(4, 6)
    with pytest.raises(RuntimeError, match="ZeroTensor"):
        torch.nn.init.normal_(tensor)
    with pytest.raises(ValueError, match="ZeroTensor"):
        init.normal_(tensor)


def test_numpy_scalars_and_tensors_as_numbers():
    # numpy scalars are numbers; a bool is not, even where torch takes it.
    a = init.normal_(torch.empty(3, 3), std=np.float32(0.5), seed=2)
    assert bits(a) == bits(init.normal_(torch.empty(3, 3), std=0.5, seed=2))
    torch.nn.init.normal_(torch.empty(3, 3), std=True)  # torch: True is 1
    with pytest.raises(TypeError, match="^std must be a number"):
        init.normal_(torch.empty(3, 3), std=True)
