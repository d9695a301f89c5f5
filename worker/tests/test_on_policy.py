"""On-policy distillation: the student samples, the teacher scores its tokens; the reverse KL to the teacher on
held-out prompts must fall clearly, and must not when the loss is broken on purpose."""

import json
import math
import os

import pytest
import torch

from conftest import make_job, memorize_rows, run_job, write_jsonl


def on_policy_job(student_dir, teacher_dir, tmp_path, name: str, hyperparameters: dict | None = None, **loss) -> dict:
    train_file = write_jsonl(tmp_path / f"{name}-train.jsonl", memorize_rows(range(16)))
    validation_file = write_jsonl(tmp_path / f"{name}-valid.jsonl", memorize_rows(range(16, 20)))
    job = make_job(student_dir, train_file, tmp_path / name, method="full", validation_file=validation_file,
                   checkpoint="last",
                   hyperparameters={"epochs": 6, "batch_size": 8, "learning_rate": 3e-3, "max_length": 64,
                                    **(hyperparameters or {})},
                   loss={"type": "on_policy", "teacher_model": teacher_dir, "max_new_tokens": 6, **loss})
    job.pop("lora")
    return job


def held_out_kl(student_dir, teacher_dir, tmp_path) -> float:
    from distillery_worker.divergence import divergence_of_files

    held_out = write_jsonl(tmp_path / "held-out.jsonl", memorize_rows(range(24, 36)))
    return divergence_of_files(student_dir, None, teacher_dir, held_out, 6, seed=3)["reverse_kl"]


@pytest.fixture(scope="module")
def teacher_dir(trained_full):
    return trained_full["summary"]["model_dir"]


@pytest.fixture(scope="module")
def untrained_kl(tiny_model, teacher_dir, tmp_path_factory):
    return held_out_kl(tiny_model, teacher_dir, tmp_path_factory.mktemp("kl"))


def test_on_policy_with_a_local_teacher_pulls_the_student_to_it(tiny_model, teacher_dir, untrained_kl, tmp_path):
    summary, collected = run_job(on_policy_job(tiny_model, teacher_dir, tmp_path, "local"))
    after = held_out_kl(summary["model_dir"], teacher_dir, tmp_path)
    print(f"held-out reverse KL: untrained {untrained_kl:.3f}, trained {after:.3f}")
    assert untrained_kl > 1.0  # a random student is far from the trained teacher
    assert after < 0.4 * untrained_kl, (untrained_kl, after)

    # Every epoch reports a training loss and a validation divergence; the teacher usage is counted.
    evaluations = [item for item in collected if item["event"] == "eval"]
    assert len(evaluations) == 6 and all(math.isfinite(item["valid_loss"]) for item in evaluations)
    steps = [item for item in collected if item["event"] == "step"]
    assert len(steps) == 12  # 16 prompts, batch 8, 6 epochs
    # One teacher call per training step and per validation batch (4 prompts: one batch per evaluation).
    assert summary["teacher_calls"] == 12 + 6
    assert 0 < summary["teacher_tokens"] <= (16 + 4) * 6 * 6
    assert summary["train_seconds"] > 0
    with open(os.path.join(summary["model_dir"], "..", "metrics.json"), encoding="utf-8") as handle:
        metrics = json.load(handle)
    assert metrics["loss_type"] == "on_policy"
    assert metrics["teacher_calls"] == summary["teacher_calls"]


def test_a_broken_on_policy_loss_fails_the_same_check(tiny_model, teacher_dir, untrained_kl, tmp_path, monkeypatch):
    """The check above can fail: with the divergence's sign flipped the student moves away from the teacher."""
    import trl.trainer.distillation_trainer as distillation

    real = distillation._chunked_divergence_loss

    def flipped(*args, **kwargs):
        loss, entropy, count = real(*args, **kwargs)
        return -loss, entropy, count

    monkeypatch.setattr(distillation, "_chunked_divergence_loss", flipped)
    summary, _ = run_job(on_policy_job(tiny_model, teacher_dir, tmp_path, "broken"))
    after = held_out_kl(summary["model_dir"], teacher_dir, tmp_path)
    print(f"held-out reverse KL, broken loss: untrained {untrained_kl:.3f}, trained {after:.3f}")
    assert not after < 0.4 * untrained_kl, (untrained_kl, after)


def test_tokenizers_that_differ_are_refused(tiny_model, tmp_path):
    from distillery_worker.events import ConfigError
    from distillery_worker.tiny import make_tiny

    text = tmp_path / "other.txt"
    text.write_text("completely different words make another vocabulary entirely\n" * 50, encoding="utf-8")
    other = make_tiny(str(tmp_path / "other"), str(text), layers=1, hidden=32, heads=1, vocab=300, seed=5)
    with pytest.raises(ConfigError, match="tokenizers differ"):
        run_job(on_policy_job(tiny_model, other, tmp_path, "mismatch"))


def test_prompts_end_where_the_answer_starts(tiny_tokenizer):
    from distillery_worker.masking import tokenize_conversation
    from distillery_worker.on_policy import prompt_ids

    messages = memorize_rows([3])[0]["messages"]
    input_ids, labels = tokenize_conversation(tiny_tokenizer, messages, 1024)[0]
    prompt = prompt_ids(tiny_tokenizer, messages, 1024, "")
    assert input_ids[:len(prompt)] == prompt and labels[len(prompt)] != -100 and labels[len(prompt) - 1] == -100
    assert prompt_ids(tiny_tokenizer, messages, 5, "") == prompt[-5:]


def test_the_divergence_commands_reverse_kl_matches_its_definition():
    from distillery_worker.kd import kl_divergence

    student = torch.tensor([[1.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    teacher = torch.tensor([[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]])
    p = torch.softmax(student[0], -1)
    q = torch.softmax(teacher[0], -1)
    expected = float((p * (p.log() - q.log())).sum())
    assert kl_divergence(student[:1], teacher[:1], 1.0, "reverse").item() == pytest.approx(expected, rel=1e-6)
    assert kl_divergence(student[1:], teacher[1:], 1.0, "reverse").item() == pytest.approx(0.0, abs=1e-7)
    assert kl_divergence(student, teacher, 1.0, "reverse").item() == pytest.approx(expected, rel=1e-6)


def test_a_resumed_run_continues_from_its_checkpoint_and_keeps_the_teacher_count(tiny_model, teacher_dir, tmp_path):
    import shutil

    job = on_policy_job(tiny_model, teacher_dir, tmp_path, "resume", hyperparameters={"epochs": 2})
    whole, _ = run_job(job)
    assert whole["teacher_calls"] == 4 + 2  # 2 steps and 1 validation batch per epoch
    # As if killed after the first epoch: its checkpoint (with progress.json) is the newest complete one.
    checkpoints = tmp_path / "resume" / "checkpoints"
    shutil.rmtree(checkpoints / "checkpoint-4")
    resumed, events = run_job(job)
    start = next(item for item in events if item["event"] == "start")
    assert start["resumed_from_step"] == 2
    assert [item["step"] for item in events if item["event"] == "step"] == [3, 4]
    assert resumed["teacher_calls"] == whole["teacher_calls"]
    assert resumed["teacher_tokens"] > 0


def test_a_lora_student_learns_on_policy_too(tiny_model, teacher_dir, untrained_kl, tmp_path):
    from distillery_worker.divergence import divergence_of_files

    job = on_policy_job(tiny_model, teacher_dir, tmp_path, "lora", hyperparameters={"learning_rate": 1e-2})
    job["method"], job["lora"] = "lora", {"r": 16, "alpha": 32, "dropout": 0.0}
    summary, _ = run_job(job)
    assert summary["adapter_dir"] and summary["model_dir"] is None
    held_out = write_jsonl(tmp_path / "held-out.jsonl", memorize_rows(range(24, 36)))
    after = divergence_of_files(tiny_model, summary["adapter_dir"], teacher_dir, held_out, 6, seed=3)["reverse_kl"]
    print(f"held-out reverse KL, LoRA student: untrained {untrained_kl:.3f}, trained {after:.3f}")
    assert after < 0.5 * untrained_kl, (untrained_kl, after)
