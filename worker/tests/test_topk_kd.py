import math

import pytest
import torch

from distillery_worker.topk_kd import topk_distillation_loss, topk_kl


def reference_kl(student_logits, teacher_ids, teacher_logprobs, mask, temperature, direction) -> float:
    """The top-k KL written out position by position, slot by slot, in plain Python floats."""
    total = 0.0
    for position in range(student_logits.shape[0]):
        if not mask[position]:
            continue
        slots = [slot for slot in range(teacher_ids.shape[1]) if math.isfinite(teacher_logprobs[position, slot].item())]
        if not slots:
            continue
        t_scaled = [teacher_logprobs[position, slot].item() / temperature for slot in slots]
        s_scaled = [student_logits[position, teacher_ids[position, slot]].item() / temperature for slot in slots]
        t_norm, s_norm = math.log(sum(math.exp(v) for v in t_scaled)), math.log(sum(math.exp(v) for v in s_scaled))
        p = [v - t_norm for v in t_scaled]  # teacher log-probs renormalised over its k
        q = [v - s_norm for v in s_scaled]  # student log-probs over the same k ids
        if direction == "forward":
            total += sum(math.exp(a) * (a - b) for a, b in zip(p, q))
        else:
            total += sum(math.exp(b) * (b - a) for a, b in zip(p, q))
    return total


def hand_built_case():
    # 4 positions, vocabulary 6, k = 3. Position 2 is masked (prompt), position 3 has only two stored alternatives.
    student = torch.tensor([[2.0, 0.5, -1.0, 0.0, 1.0, -2.0],
                            [0.0, 0.0, 3.0, 1.0, -1.0, 0.5],
                            [9.0, -9.0, 0.0, 0.0, 0.0, 0.0],
                            [1.0, 2.0, 0.0, -0.5, 0.25, 0.0]])
    ids = torch.tensor([[0, 4, 1], [2, 3, 5], [1, 2, 3], [1, 0, 0]])
    teacher = torch.tensor([[-0.2, -2.0, -3.1], [-1.2, -0.4, -2.5], [-0.1, -3.0, -4.0], [-0.05, -3.2, float("-inf")]])
    mask = torch.tensor([True, True, False, True])
    targets = torch.tensor([0, 3, 1, 1])
    return student, ids, teacher, mask, targets


@pytest.mark.parametrize("direction", ["forward", "reverse"])
@pytest.mark.parametrize("temperature", [1.0, 2.0, 0.5])
def test_topk_kl_equals_the_reference(direction, temperature):
    student, ids, teacher, mask, _ = hand_built_case()
    expected = reference_kl(student, ids, teacher, mask, temperature, direction)
    got = topk_kl(student, ids, teacher, mask, temperature, direction)
    assert got.item() == pytest.approx(expected, rel=1e-5)
    assert expected > 0.05  # the case is not trivially zero


def test_masked_positions_are_excluded():
    student, ids, teacher, mask, _ = hand_built_case()
    changed = student.clone()
    changed[2] = torch.tensor([-50.0, 50.0, 0.0, 0.0, 0.0, 0.0])  # a wildly different masked position
    assert topk_kl(changed, ids, teacher, mask, 1.0, "forward").item() == topk_kl(student, ids, teacher, mask, 1.0, "forward").item()
    unmasked = topk_kl(changed, ids, teacher, torch.ones(4, dtype=torch.bool), 1.0, "forward")
    assert unmasked.item() > topk_kl(student, ids, teacher, mask, 1.0, "forward").item() + 1.0


def test_zero_when_the_student_matches_the_teacher_on_the_top_k_and_gradients_are_finite():
    _, ids, teacher, mask, _ = hand_built_case()
    student = torch.full((4, 6), -5.0)
    for position in range(4):
        for slot in range(3):
            if math.isfinite(teacher[position, slot].item()):
                student[position, ids[position, slot]] = teacher[position, slot] + 7.0  # any shift: renormalised
    student.requires_grad_(True)
    for direction in ("forward", "reverse"):
        kl = topk_kl(student, ids, teacher, mask, 1.0, direction)
        assert kl.item() == pytest.approx(0.0, abs=1e-6)
        kl.backward()
        assert torch.isfinite(student.grad).all()


def test_mixed_loss_weighs_kl_and_cross_entropy_and_scales_by_temperature_squared():
    student, ids, teacher, mask, targets = hand_built_case()
    temperature, alpha = 2.0, 0.25
    mixed, cross_entropy, kl = topk_distillation_loss(student, targets, ids, teacher, mask, temperature, alpha, "forward")
    expected_ce = torch.nn.functional.cross_entropy(student, targets).item()
    expected_kl = reference_kl(student, ids, teacher, mask, temperature, "forward") / 4 * temperature**2
    assert cross_entropy.item() == pytest.approx(expected_ce, rel=1e-6)
    assert kl.item() == pytest.approx(expected_kl, rel=1e-5)
    assert mixed.item() == pytest.approx(alpha * expected_kl + (1 - alpha) * expected_ce, rel=1e-5)


def test_unknown_direction_is_refused():
    student, ids, teacher, mask, _ = hand_built_case()
    with pytest.raises(ValueError, match="forward or reverse"):
        topk_kl(student, ids, teacher, mask, 1.0, "sideways")
