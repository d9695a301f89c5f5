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
from trl import SFTTrainer

from .events import ConfigError, DataError, log
from .kd import DistillationTrainer, answer_positions, same_vocabulary, split_labels, validation_loss

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


# ---- Stored top-k → per-token targets aligned to the student's answer tokens -------------------------------------

def _float32s(text: str, count: int, where: str) -> list[float]:
    import base64
    import struct

    raw = base64.b64decode(text)
    if len(raw) != 4 * count:
        raise DataError(f"{where}: log-prob array holds {len(raw) // 4} values, expected {count}")
    return list(struct.unpack(f"<{count}f", raw))


def read_logprobs_file(path: str) -> list[dict]:
    """The rows of `generate/logprobs.jsonl` (format: src/stages/generate/logprobs-file.ts), log-probs decoded."""
    from .data import read_json_lines

    rows = []
    for where, row in read_json_lines(path, "logprobs file"):
        try:
            count, k = len(row["tokens"]), int(row["k"])
            kind = row["token_kind"]
            top_tokens = row["top_tokens"]
        except (KeyError, TypeError, ValueError) as error:
            raise DataError(f"{where}: not a logprobs row ({error})") from error
        if kind not in ("text", "id") or len(top_tokens) != count:
            raise DataError(f"{where}: not a logprobs row (token_kind {kind!r}, {len(top_tokens)} top lists "
                            f"for {count} tokens)")
        flat = _float32s(row["top_logprobs"], count * k, where)
        rows.append({"id": row["id"], "kind": kind, "tokens": row["tokens"],
                     "top": [list(zip(top_tokens[i], flat[i * k:i * k + len(top_tokens[i])])) for i in range(count)]})
    return rows


class TokenSpelling:
    """Token text (as OpenAI-compatible servers spell it: the token decoded alone) ↔ id, for one tokenizer."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        by_text: dict[str, int | None] = {}
        for index in range(len(tokenizer)):
            text = tokenizer.decode([index])
            by_text[text] = None if text in by_text else index  # None: several ids spell the same text
        self.by_text = by_text

    def id_of(self, token, kind: str) -> int | None:
        if kind == "id":
            return int(token)
        return self.by_text.get(token)


def align_targets(labels: list[int], row: dict, spelling: TokenSpelling, top_k: int) -> tuple[list, int]:
    """Per position of `labels`, the teacher's `[(id, logprob)]` (≤ top_k) or None; and how many answer tokens got one.

    The i-th trained token takes the teacher's i-th position while the teacher's chosen token is that same token;
    from the first disagreement on (the answer was edited by curation, or tokenized differently) positions get
    none and count for cross-entropy only. Alternatives whose text maps to no single id are dropped.
    """
    targets: list = [None] * len(labels)
    answer = [position for position, label in enumerate(labels) if label != -100]
    matched = 0
    for step, position in enumerate(answer):
        if step >= len(row["tokens"]) or spelling.id_of(row["tokens"][step], row["kind"]) != labels[position]:
            break
        alternatives = [(spelling.id_of(token, row["kind"]), logprob) for token, logprob in row["top"][step][:top_k]]
        kept = [(index, logprob) for index, logprob in alternatives if index is not None]
        if kept:
            targets[position] = kept
            matched += 1
    return targets, matched


def answer_text(row: dict, spelling: TokenSpelling) -> str:
    """The text a logprobs row spells (its chosen tokens), the key that joins it to a training row's answer."""
    if row["kind"] == "text":  # end-of-turn tokens, when a server lists them, are not part of the answer text
        special = set(spelling.tokenizer.all_special_tokens)
        return "".join(str(token) for token in row["tokens"] if token is not None and token not in special)
    return spelling.tokenizer.decode([int(token) for token in row["tokens"] if token is not None],
                                     skip_special_tokens=True)


REASONING_END = "</think>"


def without_reasoning(row: dict, spelling: TokenSpelling) -> dict | None:
    """The row from the first token after the teacher's `</think>` (and the blank tokens after it), or None when it has
    no reasoning block. The trained answer drops the reasoning (unless the split keeps it), so its tokens align with
    the teacher's answer tokens, not with the start of what the teacher wrote."""
    spelled = ""
    for index, token in enumerate(row["tokens"]):
        if token is None:
            return None
        spelled += str(token) if row["kind"] == "text" else spelling.tokenizer.decode([int(token)])
        if spelled.rstrip().endswith(REASONING_END):
            start = index + 1
            while start < len(row["tokens"]) and row["tokens"][start] is not None and answer_text(
                    {**row, "tokens": [row["tokens"][start]]}, spelling).strip() == "":
                start += 1
            return {**row, "tokens": row["tokens"][start:], "top": row["top"][start:]}
    return None


class TopKTargets:
    """Teacher top-k per training sequence, looked up by the sequence's tokens (batches are padded, not packed)."""

    def __init__(self, tokenizer, logprobs_path: str, conversations: list[list[dict]],
                 sequences: list[tuple[list[int], list[int]]], sequence_rows: list[int], top_k: int):
        spelling = TokenSpelling(tokenizer)
        by_answer = {}
        for row in read_logprobs_file(logprobs_path):
            by_answer[answer_text(row, spelling).strip()] = row
            answer_only = without_reasoning(row, spelling)
            if answer_only is not None:
                by_answer.setdefault(answer_text(answer_only, spelling).strip(), answer_only)
        self.top_k = top_k
        self.by_sequence: dict[tuple, list] = {}
        self.answer_tokens = self.matched_tokens = 0
        for (input_ids, labels), row_index in zip(sequences, sequence_rows):
            answer = [message["content"] for message in conversations[row_index] if message["role"] == "assistant"]
            row = by_answer.get(answer[-1].strip()) if answer else None
            self.answer_tokens += sum(label != -100 for label in labels)
            if row is None:
                continue
            targets, matched = align_targets(labels, row, spelling, top_k)
            self.matched_tokens += matched
            self.by_sequence[tuple(input_ids)] = self._packed(targets)

    def _packed(self, targets: list) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """`(positions, ids, logprobs)` of the positions that have a teacher top-k: compact tensors, one copy per
        batch instead of a Python loop over every slot."""
        positions = [position for position, alternatives in enumerate(targets) if alternatives]
        ids = torch.zeros((len(positions), self.top_k), dtype=torch.long)
        logprobs = torch.full((len(positions), self.top_k), PAD_LOGPROB)
        for row, position in enumerate(positions):
            for slot, (index, logprob) in enumerate(targets[position]):
                ids[row, slot], logprobs[row, slot] = index, logprob
        return torch.tensor(positions, dtype=torch.long), ids, logprobs

    def batch(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """`(ids, logprobs)` `[batch, seq, top_k]` for a right-padded batch; -inf where no teacher target."""
        ids = torch.zeros((*input_ids.shape, self.top_k), dtype=torch.long)
        logprobs = torch.full((*input_ids.shape, self.top_k), PAD_LOGPROB)
        for row in range(input_ids.shape[0]):
            length = int(attention_mask[row].sum())
            stored = self.by_sequence.get(tuple(input_ids[row, :length].tolist()))
            if stored is not None:
                positions, stored_ids, stored_logprobs = stored
                ids[row, positions], logprobs[row, positions] = stored_ids, stored_logprobs
        return ids.to(input_ids.device), logprobs.to(input_ids.device)


class TopKDistillationTrainer(SFTTrainer):
    """SFTTrainer whose training loss is the top-k KL against stored teacher log-probs, mixed with CE."""

    def __init__(self, *args, targets: TopKTargets, temperature: float, alpha: float, direction: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets, self.temperature, self.alpha, self.direction = targets, temperature, alpha, direction

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        inputs, labels = split_labels(inputs)
        if not model.training:
            return validation_loss(model, inputs, labels, return_outputs)
        if "attention_mask" not in inputs:
            raise ConfigError("topk_kd needs padded batches (packing is turned off for it)")
        keep, mask, targets = answer_positions(labels)
        outputs = model(**inputs, logits_to_keep=keep)
        student = outputs.logits[mask]
        teacher_ids, teacher_logprobs = self.targets.batch(inputs["input_ids"], inputs["attention_mask"])
        # Logits at sequence position p predict token p + 1: the teacher's top-k for the token at p + 1.
        teacher_ids = torch.roll(teacher_ids, -1, dims=1)[:, keep][mask]
        teacher_logprobs = torch.roll(teacher_logprobs, -1, dims=1)[:, keep][mask]
        has_teacher = torch.isfinite(teacher_logprobs).any(dim=-1)
        loss, _, _ = topk_distillation_loss(student, targets, teacher_ids, teacher_logprobs, has_teacher,
                                            self.temperature, self.alpha, self.direction, num_items_in_batch)
        if self.args.average_tokens_across_devices and num_items_in_batch is not None:
            loss = loss * self.accelerator.num_processes
        DistillationTrainer._count_tokens(self, inputs)
        return (loss, outputs) if return_outputs else loss


def build_topk_trainer(job, tokenizer, trainer_kwargs: dict) -> TopKDistillationTrainer:
    """Check the tokenizers, align the stored top-k to the training sequences and build the trainer."""
    from .data import read_conversations
    from .masking import tokenize_conversation
    from .modeling import load_tokenizer

    same_vocabulary(tokenizer, load_tokenizer(job.loss.teacher_tokenizer, job.trust_remote_code))
    conversations = read_conversations(job.train_file)
    sequences, sequence_rows = [], []
    for row_index, messages in enumerate(conversations):
        for input_ids, labels in tokenize_conversation(tokenizer, messages, job.hyperparameters.max_length,
                                                       job.assistant_prefix):
            sequences.append((input_ids, labels))
            sequence_rows.append(row_index)
    targets = TopKTargets(tokenizer, job.loss.logprobs_file, conversations, sequences, sequence_rows, job.loss.top_k)
    if targets.matched_tokens == 0:
        raise DataError(f"{job.loss.logprobs_file}: no training answer matches a stored teacher answer token for "
                        f"token; top-k distillation would train on nothing")
    log(f"top-k distillation: teacher log-probs for {targets.matched_tokens} of {targets.answer_tokens} answer "
        f"tokens (k ≤ {job.loss.top_k}); the rest train on cross-entropy only")
    return TopKDistillationTrainer(**trainer_kwargs, targets=targets, temperature=job.loss.temperature,
                                   alpha=job.loss.alpha, direction=job.loss.direction)
