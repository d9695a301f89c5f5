"""Logit distillation: KL between teacher and student next-token distributions on assistant tokens, mixed with CE.

A subclass of TRL's SFTTrainer so packing, padding-free batches and label building stay the same as for SFT;
only `compute_loss` changes (TRL's own fused LM head never builds the logits the KL needs).
"""

import torch
import torch.nn.functional as F
from trl import SFTTrainer

IGNORE_INDEX = -100


def _answer_positions(logits: torch.Tensor, labels: torch.Tensor):
    """Logits that predict an assistant token, and those tokens (labels shifted by one)."""
    shifted_labels = labels[..., 1:]
    mask = shifted_labels != IGNORE_INDEX
    return logits[..., :-1, :][mask].float(), shifted_labels[mask], mask


def answer_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    predictions, targets, _ = _answer_positions(logits, labels)
    return F.cross_entropy(predictions, targets, reduction="sum") / max(targets.numel(), 1)


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                      temperature: float, alpha: float, direction: str,
                      num_items: torch.Tensor | int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Return `(mixed_loss, cross_entropy)` summed over assistant positions and divided by `num_items`.

    `alpha` weighs the KL term, `1 - alpha` the cross-entropy. The KL is scaled by T^2 so its gradients keep the
    same magnitude as the temperature changes (Hinton et al.).
    """
    student, targets, mask = _answer_positions(student_logits, labels)
    teacher = teacher_logits[..., :-1, :][mask].float()
    count = num_items if num_items is not None else mask.sum()
    count = torch.as_tensor(count, device=student.device).clamp(min=1)

    cross_entropy = F.cross_entropy(student, targets, reduction="sum") / count
    student_log_probs = F.log_softmax(student / temperature, dim=-1)
    teacher_log_probs = F.log_softmax(teacher / temperature, dim=-1)
    if direction == "forward":  # KL(teacher || student): mass-covering
        kl = (teacher_log_probs.exp() * (teacher_log_probs - student_log_probs)).sum(-1)
    else:  # KL(student || teacher): mode-seeking
        kl = (student_log_probs.exp() * (student_log_probs - teacher_log_probs)).sum(-1)
    kl = kl.sum() / count * temperature**2
    return alpha * kl + (1 - alpha) * cross_entropy, cross_entropy


class DistillationTrainer(SFTTrainer):
    def __init__(self, *args, teacher_model, temperature: float, alpha: float, direction: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.teacher_model = teacher_model.to(self.args.device).eval()
        self.teacher_model.requires_grad_(False)
        self.temperature = temperature
        self.alpha = alpha
        self.direction = direction

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        inputs = {key: value for key, value in inputs.items()}
        labels = inputs.pop("labels")
        inputs["use_cache"] = False
        outputs = model(**inputs)
        if not model.training:
            # Validation loss stays plain cross-entropy so it is comparable across SFT and KD runs.
            loss = answer_cross_entropy(outputs.logits, labels)
            return (loss, outputs) if return_outputs else loss
        with torch.no_grad():
            teacher_logits = self.teacher_model(**inputs).logits
        loss, _ = distillation_loss(outputs.logits, teacher_logits, labels, self.temperature, self.alpha,
                                    self.direction, num_items_in_batch)
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
