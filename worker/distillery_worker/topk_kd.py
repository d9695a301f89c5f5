"""Sparse logit distillation from the teacher's stored top-k log-probabilities (issue 14).

The teacher is not loaded: `generate/logprobs.jsonl` holds, per answer token, the k most likely tokens and their
log-probs. The KL is taken over those k tokens only: the teacher's k log-probs and the student's logits at the same
k ids are each renormalised over the k (softmax at temperature T). The tail beyond the top k is dropped on both sides
— its mass is unknown for the teacher, so the loss matches the *shape* of the teacher's top-k and cross-entropy on
the answer (weight `1 - alpha`) keeps the student's mass on them. Slots a position lacks (fewer than k alternatives)
carry log-prob -inf and no weight; positions without a stored top-k (masked) count for CE only.
"""

import torch
import torch.nn.functional as F

PAD_LOGPROB = float("-inf")


def topk_log_probs(student_logits: torch.Tensor, teacher_ids: torch.Tensor, teacher_logprobs: torch.Tensor,
                   temperature: float) -> tuple[torch.Tensor, torch.Tensor]:
    """`(student, teacher)` log-probs `[positions, k]`, each renormalised over the teacher's k tokens at T.

    `student_logits` `[positions, vocab]`; `teacher_ids` `[positions, k]` (any id where a slot is padding);
    `teacher_logprobs` `[positions, k]`, -inf in padded slots.
    """
    valid = torch.isfinite(teacher_logprobs)
    gathered = student_logits.float().gather(-1, teacher_ids) / temperature
    student = F.log_softmax(gathered.masked_fill(~valid, PAD_LOGPROB), dim=-1)
    teacher = F.log_softmax(teacher_logprobs.float() / temperature, dim=-1)
    return student, teacher


def topk_kl(student_logits: torch.Tensor, teacher_ids: torch.Tensor, teacher_logprobs: torch.Tensor,
            mask: torch.Tensor, temperature: float, direction: str) -> torch.Tensor:
    """Summed KL over the positions where `mask` is true (and at least one slot is stored), in fp32.

    forward: KL(teacher || student), mass-covering; reverse: KL(student || teacher), mode-seeking.
    """
    if direction not in ("forward", "reverse"):
        raise ValueError(f"direction must be forward or reverse, not {direction!r}")
    keep = mask & torch.isfinite(teacher_logprobs).any(dim=-1)
    if not bool(keep.any()):
        return student_logits.new_zeros((), dtype=torch.float32)
    student, teacher = topk_log_probs(student_logits[keep], teacher_ids[keep], teacher_logprobs[keep], temperature)
    valid = torch.isfinite(teacher)
    # Padded slots are -inf on both sides; -inf - -inf is NaN and torch.where would still carry its NaN gradient,
    # so they are zeroed before the arithmetic, not after.
    teacher, student = teacher.masked_fill(~valid, 0.0), student.masked_fill(~valid, 0.0)
    log_p, log_q = (teacher, student) if direction == "forward" else (student, teacher)
    return (log_p.exp() * (log_p - log_q) * valid).sum()


def topk_distillation_loss(student_logits: torch.Tensor, targets: torch.Tensor, teacher_ids: torch.Tensor,
                           teacher_logprobs: torch.Tensor, mask: torch.Tensor, temperature: float, alpha: float,
                           direction: str, num_items: torch.Tensor | int | None = None
                           ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """`(mixed, cross_entropy, kl)` over answer positions (`[positions, vocab]` logits and their targets).

    Same convention as kd.distillation_loss: sums divided by the answer-token count, KL scaled by T^2 (Hinton et
    al.), `alpha` on the KL and `1 - alpha` on cross-entropy.
    """
    count = torch.as_tensor(num_items if num_items is not None else targets.numel(),
                            device=student_logits.device).clamp(min=1)
    cross_entropy = F.cross_entropy(student_logits.float(), targets, reduction="sum") / count
    kl = topk_kl(student_logits, teacher_ids, teacher_logprobs, mask, temperature, direction) / count
    kl = kl * temperature**2
    return alpha * kl + (1 - alpha) * cross_entropy, cross_entropy, kl
