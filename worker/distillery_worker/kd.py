"""Logit distillation: KL between teacher and student next-token distributions on assistant tokens, mixed with CE.

A subclass of TRL's SFTTrainer so packing, padding-free batches and label building stay the same as for SFT;
only `compute_loss` changes (TRL's own fused LM head never builds the logits the KL needs).

Memory: both models compute logits only at the positions that predict an answer token (`logits_to_keep`), in
their own dtype (bf16 on GPUs), and the fp32 softmaxes are taken `CHUNK_POSITIONS` positions at a time — the
full batch's full-vocabulary logits are never built, in fp32 or otherwise.
"""

import torch
import torch.nn.functional as F
from trl import SFTTrainer

from .events import ConfigError

IGNORE_INDEX = -100
CHUNK_POSITIONS = 1024


def same_vocabulary(student_tokenizer, teacher_tokenizer) -> int:
    """Compare the tokenizers by content (token -> id); return the shared vocabulary size.

    Embedding sizes say nothing: Qwen2.5-7B and -1.5B share a tokenizer but pad their embeddings differently, and
    two different tokenizers can have the same size.
    """
    student, teacher = student_tokenizer.get_vocab(), teacher_tokenizer.get_vocab()
    if student != teacher:
        differing = sorted(set(student.items()) ^ set(teacher.items()), key=lambda item: item[1])
        example = ", ".join(f"{token!r}={index}" for token, index in differing[:3])
        raise ConfigError(f"teacher and student tokenizers differ ({len(differing)} token/id pairs not shared, e.g. "
                          f"{example}); logit distillation needs the same tokenizer")
    return max(student.values()) + 1


def answer_positions(labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """`(keep, mask, targets)`: sequence positions whose logits predict an answer token in any row, which of
    those positions count per row, and the tokens they predict."""
    shifted = torch.full_like(labels, IGNORE_INDEX)
    shifted[..., :-1] = labels[..., 1:]
    predicts = shifted != IGNORE_INDEX
    keep = predicts.any(dim=0).nonzero().flatten()
    return keep, predicts[:, keep], shifted[:, keep][predicts[:, keep]]


def answer_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean CE over answer tokens, from full logits `[batch, seq, vocab]` (validation)."""
    keep, mask, targets = answer_positions(labels)
    predictions = logits[:, keep][mask].float()
    return F.cross_entropy(predictions, targets, reduction="sum") / max(targets.numel(), 1)


def kl_divergence(student: torch.Tensor, teacher: torch.Tensor, temperature: float, direction: str) -> torch.Tensor:
    """Summed KL over rows of `[positions, vocab]` logits, in fp32, at temperature T."""
    student_log_probs = F.log_softmax(student.float() / temperature, dim=-1)
    teacher_log_probs = F.log_softmax(teacher.float() / temperature, dim=-1)
    if direction == "forward":  # KL(teacher || student): mass-covering
        return (teacher_log_probs.exp() * (teacher_log_probs - student_log_probs)).sum()
    return (student_log_probs.exp() * (student_log_probs - teacher_log_probs)).sum()  # reverse: mode-seeking


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, targets: torch.Tensor,
                      temperature: float, alpha: float, direction: str,
                      num_items: torch.Tensor | int | None = None,
                      chunk: int = CHUNK_POSITIONS) -> tuple[torch.Tensor, torch.Tensor]:
    """Return `(mixed_loss, cross_entropy)` over answer positions (`[positions, vocab]` logits, their targets),
    summed chunk by chunk and divided by `num_items`.

    `alpha` weighs the KL term, `1 - alpha` the cross-entropy. The KL is scaled by T^2 so its gradients keep the
    same magnitude as the temperature changes (Hinton et al.).
    """
    count = torch.as_tensor(num_items if num_items is not None else targets.numel(),
                            device=student_logits.device).clamp(min=1)
    kl_sum = student_logits.new_zeros((), dtype=torch.float32)
    ce_sum = student_logits.new_zeros((), dtype=torch.float32)
    for start in range(0, targets.numel(), chunk):
        student, teacher = student_logits[start:start + chunk], teacher_logits[start:start + chunk]
        ce_sum = ce_sum + F.cross_entropy(student.float(), targets[start:start + chunk], reduction="sum")
        kl_sum = kl_sum + kl_divergence(student, teacher, temperature, direction)
    cross_entropy = ce_sum / count
    kl = kl_sum / count * temperature**2
    return alpha * kl + (1 - alpha) * cross_entropy, cross_entropy


def split_labels(inputs) -> tuple[dict, torch.Tensor]:
    """The model's inputs (no cache: training) and the labels, which the distillation losses use themselves."""
    labels = inputs["labels"]
    inputs = {key: value for key, value in inputs.items() if key != "labels"}
    inputs["use_cache"] = False
    return inputs, labels


def validation_loss(model, inputs: dict, labels: torch.Tensor, return_outputs: bool):
    """Validation loss stays plain answer cross-entropy, so it is comparable across SFT, KD and top-k KD runs."""
    outputs = model(**inputs)
    loss = answer_cross_entropy(outputs.logits, labels)
    return (loss, outputs) if return_outputs else loss


class DistillationTrainer(SFTTrainer):
    def __init__(self, *args, teacher_model, vocabulary_size: int, temperature: float, alpha: float,
                 direction: str, usage=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.usage = usage  # on_policy.TeacherUsage: teacher forward passes and the answer tokens they scored
        if getattr(teacher_model, "hf_device_map", None) is None:  # a 4-bit teacher was placed when loaded
            teacher_model = teacher_model.to(self.args.device)
        self.teacher_model = teacher_model.eval()
        self.teacher_model.requires_grad_(False)
        self.vocabulary_size = vocabulary_size
        self.temperature = temperature
        self.alpha = alpha
        self.direction = direction

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        inputs, labels = split_labels(inputs)
        if not model.training:
            return validation_loss(model, inputs, labels, return_outputs)
        keep, mask, targets = answer_positions(labels)
        # Logits only where an answer token is predicted; shared vocabulary only (embeddings may be padded).
        outputs = model(**inputs, logits_to_keep=keep)
        student = outputs.logits[..., : self.vocabulary_size][mask]
        with torch.no_grad():
            teacher = self.teacher_model(**inputs, logits_to_keep=keep).logits[..., : self.vocabulary_size][mask]
        if self.usage is not None:
            self.usage.add(1, int(targets.numel()), 0.0)
        loss, _ = distillation_loss(student, teacher, targets, self.temperature, self.alpha, self.direction,
                                    num_items_in_batch)
        if self.args.average_tokens_across_devices and num_items_in_batch is not None:
            # Same convention as SFTTrainer: num_items_in_batch counts every rank's tokens, DDP averages gradients.
            loss = loss * self.accelerator.num_processes
        self._count_tokens(inputs)
        return (loss, outputs) if return_outputs else loss

    def _count_tokens(self, inputs) -> None:
        # SFTTrainer counts tokens inside its own compute_loss; keep `num_tokens` in the logs for the step events.
        if "attention_mask" in inputs:
            local = inputs["attention_mask"].sum()
        else:
            local = torch.tensor(inputs["input_ids"].numel(), device=inputs["input_ids"].device)
        self._total_train_tokens += int(self.accelerator.gather_for_metrics(local).sum().item())
        self._metrics["train"]["num_tokens"] = [self._total_train_tokens]
