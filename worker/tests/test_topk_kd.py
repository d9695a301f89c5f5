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


# ---- Training from stored top-k log-probs ------------------------------------------------------------------------

def load_model(path):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(path, use_safetensors=True, dtype=torch.float32).eval()


def float32_base64(values) -> str:
    import base64
    import struct

    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()


def teacher_logprobs_rows(teacher_dir, tokenizer, rows, k: int, kind: str) -> list[dict]:
    """What a server returns for the teacher's answers, as generate/logprobs.jsonl stores it."""
    from transformers import AutoModelForCausalLM

    from distillery_worker.masking import tokenize_conversation

    teacher = AutoModelForCausalLM.from_pretrained(teacher_dir, dtype=torch.float32).eval()
    spell = (lambda index: tokenizer.decode([index])) if kind == "text" else int
    stored = []
    for number, row in enumerate(rows):
        [(input_ids, labels)] = tokenize_conversation(tokenizer, row["messages"], 128)
        with torch.no_grad():
            log_probs = torch.log_softmax(teacher(input_ids=torch.tensor([input_ids])).logits[0].float(), dim=-1)
        tokens, top_tokens, flat = [], [], []
        for position, label in enumerate(labels):
            if label == -100:
                continue
            values, indices = log_probs[position - 1].topk(k)
            tokens.append(spell(label))
            top_tokens.append([spell(int(index)) for index in indices])
            flat += values.tolist()
        stored.append({"id": str(number), "token_kind": kind, "k": k, "tokens": tokens, "top_tokens": top_tokens,
                       "token_logprobs": float32_base64([0.0] * len(tokens)), "top_logprobs": float32_base64(flat)})
    return stored


def mean_topk_kl(model, tokenizer, logprobs_path, rows, k) -> float:
    """Forward top-k KL (T = 1) of `model` against the stored teacher top-k, per answer token."""
    from distillery_worker.kd import answer_positions
    from distillery_worker.masking import tokenize_conversation
    from distillery_worker.topk_kd import TopKTargets

    sequences = [tokenize_conversation(tokenizer, row["messages"], 128)[0] for row in rows]
    targets = TopKTargets(tokenizer, logprobs_path, [row["messages"] for row in rows], sequences,
                          list(range(len(rows))), k)
    assert targets.matched_tokens == targets.answer_tokens  # every answer token, end of turn included
    total, count = 0.0, 0
    for input_ids, labels in sequences:
        ids, mask = torch.tensor([input_ids]), torch.ones(1, len(input_ids), dtype=torch.long)
        teacher_ids, teacher_logprobs = targets.batch(ids, mask)
        keep, answer_mask, _ = answer_positions(torch.tensor([labels]))
        with torch.no_grad():
            logits = model(input_ids=ids).logits[:, keep][answer_mask]
        shifted_ids = torch.roll(teacher_ids, -1, dims=1)[:, keep][answer_mask]
        shifted_logprobs = torch.roll(teacher_logprobs, -1, dims=1)[:, keep][answer_mask]
        has = torch.isfinite(shifted_logprobs).any(dim=-1)
        total += topk_kl(logits, shifted_ids, shifted_logprobs, has, 1.0, "forward").item()
        count += int(has.sum())
    return total / count


def topk_job(tiny_model, train_file, logprobs_file, output_dir, alpha: float, direction: str = "forward"):
    from conftest import make_job

    return make_job(tiny_model, train_file, output_dir,
                    loss={"type": "topk_kd", "logprobs_file": str(logprobs_file), "teacher_tokenizer": tiny_model,
                          "top_k": 5, "temperature": 1.0, "alpha": alpha, "direction": direction})


@pytest.mark.parametrize("kind", ["text", "id"])
def test_pure_topk_distillation_moves_the_student_to_the_stored_top_k(trained_full, tiny_model, tiny_tokenizer,
                                                                     tmp_path, monkeypatch, kind):
    """alpha = 1: only the top-k KL trains. Breaking it on purpose must make the same check fail."""
    from peft import PeftModel

    from conftest import memorize_rows, run_job, write_jsonl
    from distillery_worker import topk_kd

    rows = memorize_rows(range(8))
    train_file = write_jsonl(tmp_path / "train.jsonl", rows)
    logprobs_file = write_jsonl(tmp_path / "logprobs.jsonl",
                                teacher_logprobs_rows(trained_full["summary"]["model_dir"], tiny_tokenizer, rows, 5, kind))
    base_kl = mean_topk_kl(load_model(tiny_model), tiny_tokenizer, logprobs_file, rows, 5)

    summary, collected = run_job(topk_job(tiny_model, train_file, logprobs_file, tmp_path / "kl", 1.0))
    student = PeftModel.from_pretrained(load_model(tiny_model), summary["adapter_dir"]).eval()
    student_kl = mean_topk_kl(student, tiny_tokenizer, logprobs_file, rows, 5)
    print(f"top-k KL per answer token ({kind}): base {base_kl:.3f}, after pure top-k KD {student_kl:.3f}")
    assert student_kl < 0.3 * base_kl, (base_kl, student_kl)

    def broken(student_logits, teacher_ids, teacher_logprobs, mask, temperature, direction):
        return student_logits.float().sum() * 0.0  # the teacher's top-k ignored

    monkeypatch.setattr(topk_kd, "topk_kl", broken)
    summary, _ = run_job(topk_job(tiny_model, train_file, logprobs_file, tmp_path / "broken", 1.0))
    broken_student = PeftModel.from_pretrained(load_model(tiny_model), summary["adapter_dir"]).eval()
    assert not mean_topk_kl(broken_student, tiny_tokenizer, logprobs_file, rows, 5) < 0.3 * base_kl


def test_topk_job_checks_the_tokenizer_and_the_stored_answers(tiny_model, tiny_tokenizer, tmp_path):
    from conftest import memorize_rows, run_job, write_jsonl
    from distillery_worker.events import ConfigError, DataError
    from distillery_worker.jobfile import parse_job

    rows = memorize_rows(range(4))
    train_file = write_jsonl(tmp_path / "train.jsonl", rows)
    # Stored answers that are not the training answers: nothing to distil, said plainly.
    other = teacher_logprobs_rows(tiny_model, tiny_tokenizer, memorize_rows(range(20, 24)), 3, "id")
    logprobs_file = write_jsonl(tmp_path / "logprobs.jsonl", other)
    with pytest.raises(DataError, match="no training answer matches"):
        run_job(topk_job(tiny_model, train_file, logprobs_file, tmp_path / "none", 0.5))
    job = topk_job(tiny_model, train_file, logprobs_file, tmp_path / "x", 0.5)
    job["loss"]["top_k"] = 21
    with pytest.raises(ConfigError, match="top_k"):
        parse_job(job)
    del job["loss"]["teacher_tokenizer"]
    with pytest.raises(ConfigError, match="teacher_tokenizer"):
        parse_job(job)


# A row exactly as src/stages/generate/logprobs-file.ts writes it (encodeLogprobsRow), second position padded.
TS_ROW = ('{"id":"r1","token_kind":"text","k":2,"tokens":["Hé","!"],"top_tokens":[["Hé"," no"],["!"]],'
          '"token_logprobs":"AACAvgAAAL4=","top_logprobs":"AACAvgAAwL8AAAC+AACA/w=="}')


def test_reads_the_file_the_generate_stage_writes_and_rejects_damaged_rows(tmp_path):
    from distillery_worker.events import DataError
    from distillery_worker.topk_kd import read_logprobs_file

    path = tmp_path / "logprobs.jsonl"
    path.write_text(TS_ROW + "\n", encoding="utf-8")
    assert read_logprobs_file(str(path)) == [
        {"id": "r1", "kind": "text", "tokens": ["Hé", "!"], "top": [[("Hé", -0.25), (" no", -1.5)], [("!", -0.125)]]}]
    path.write_text(TS_ROW + "\n" + TS_ROW.replace('"k":2', '"k":3') + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"logprobs.jsonl:2: log-prob array holds 4 values, expected 6"):
        read_logprobs_file(str(path))
    path.write_text('{"id": "x"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"logprobs.jsonl:1: not a logprobs row"):
        read_logprobs_file(str(path))


def test_targets_follow_each_row_of_a_right_padded_batch(trained_full, tiny_tokenizer, tmp_path):
    from conftest import chat_row, write_jsonl
    from distillery_worker.masking import tokenize_conversation
    from distillery_worker.topk_kd import TopKTargets, read_logprobs_file

    rows = [chat_row("what is number 3?", "white cat"), chat_row("what is number 3 or number 4 please?", "red dog")]
    path = write_jsonl(tmp_path / "logprobs.jsonl",
                       teacher_logprobs_rows(trained_full["summary"]["model_dir"], tiny_tokenizer, rows, 4, "id"))
    sequences = [tokenize_conversation(tiny_tokenizer, row["messages"], 128)[0] for row in rows]
    targets = TopKTargets(tiny_tokenizer, path, [row["messages"] for row in rows], sequences, [0, 1], 4)
    lengths = [len(input_ids) for input_ids, _ in sequences]
    assert lengths[0] != lengths[1]
    width = max(lengths)
    padded = torch.tensor([input_ids + [0] * (width - len(input_ids)) for input_ids, _ in sequences])
    mask = torch.tensor([[1] * length + [0] * (width - length) for length in lengths])
    ids, logprobs = targets.batch(padded, mask)
    for row, (input_ids, labels) in enumerate(sequences):
        alone_ids, alone_logprobs = targets.batch(torch.tensor([input_ids]), torch.ones(1, len(input_ids)))
        assert torch.equal(ids[row, :len(input_ids)], alone_ids[0])
        assert torch.equal(logprobs[row, :len(input_ids)], alone_logprobs[0])
        assert torch.isneginf(logprobs[row, len(input_ids):]).all()
        # Exactly the answer tokens carry a teacher top-k: the stored one, in order.
        answer = [position for position, label in enumerate(labels) if label != -100]
        assert torch.isfinite(logprobs[row]).any(dim=-1).nonzero().flatten().tolist() == answer
        stored = read_logprobs_file(path)[row]["top"]
        assert [ids[row, position].tolist() for position in answer] == [[index for index, _ in top] for top in stored]


@pytest.mark.parametrize("kind", ["text", "id"])
def test_a_teacher_answer_with_reasoning_aligns_with_the_answer_trained_without_it(trained_full, tiny_tokenizer,
                                                                                   tmp_path, kind):
    """The teacher wrote `<think>…</think>answer` (its log-probs cover every token); the split dropped the reasoning,
    so the trained answer's tokens take the teacher's positions after `</think>`, not the first ones."""
    from conftest import chat_row, write_jsonl
    from distillery_worker.masking import tokenize_conversation
    from distillery_worker.topk_kd import TokenSpelling, TopKTargets, read_logprobs_file

    written = [chat_row("what is number 3?", "<think>3 is white</think>white cat")]
    trained = [chat_row("what is number 3?", "white cat")]
    path = write_jsonl(tmp_path / "logprobs.jsonl",
                       teacher_logprobs_rows(trained_full["summary"]["model_dir"], tiny_tokenizer, written, 4, kind))
    sequences = [tokenize_conversation(tiny_tokenizer, row["messages"], 128)[0] for row in trained]
    targets = TopKTargets(tiny_tokenizer, path, [row["messages"] for row in trained], sequences, [0], 4)
    assert targets.matched_tokens == targets.answer_tokens > 0
    input_ids, labels = sequences[0]
    ids, _ = targets.batch(torch.tensor([input_ids]), torch.ones(1, len(input_ids)))
    answer = [position for position, label in enumerate(labels) if label != -100]
    spelling = TokenSpelling(tiny_tokenizer)
    stored = [[spelling.id_of(token, kind) for token, _ in top] for top in read_logprobs_file(path)[0]["top"]]
    expected = [[index for index in top if index is not None] for top in stored[-len(answer):]]
    assert [ids[0, position].tolist()[:len(top)] for position, top in zip(answer, expected)] == expected
