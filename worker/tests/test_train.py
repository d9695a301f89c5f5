import json
import os

import pytest
import torch
from safetensors.torch import load_file

from distillery_worker.jobfile import parse_job
from distillery_worker.kd import distillation_loss
from distillery_worker.masking import tokenize_conversation
from distillery_worker.train import build_trainer, choose_checkpoint

from conftest import losses, make_job, memorize_rows, run_job, write_jsonl


def mean_answer_loss(model, tokenizer, rows) -> float:
    """Mean cross-entropy on assistant tokens, the quantity training minimizes."""
    total = 0.0
    with torch.no_grad():
        for row in rows:
            [(input_ids, labels)] = tokenize_conversation(tokenizer, row["messages"], 512)
            total += model(input_ids=torch.tensor([input_ids]), labels=torch.tensor([labels])).loss.item()
    return total / len(rows)


def load_model(path):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(path, use_safetensors=True, dtype=torch.float32).eval()


def test_lora_loss_falls_and_events_follow_the_contract(trained_lora):
    collected, summary = trained_lora["events"], trained_lora["summary"]
    assert collected[0]["event"] == "start"
    assert collected[0]["train_examples"] == 8 and collected[0]["validation_examples"] == 0
    assert collected[0]["device"] == "cpu" and set(collected[0]["versions"]) == {"torch", "transformers", "trl", "peft"}
    step_losses = losses(collected)
    assert len(step_losses) == collected[0]["total_steps"] == 16  # 8 rows pack into one batch per epoch
    assert step_losses[-1] < 0.3 * step_losses[0]
    tokens = [item["tokens_seen"] for item in collected if item["event"] == "step"]
    assert tokens == sorted(tokens) and tokens[0] > 0
    checkpoints = [item for item in collected if item["event"] == "checkpoint"]
    assert [item["epoch"] for item in checkpoints] == [float(epoch) for epoch in range(1, 17)]
    assert all(os.path.isdir(item["path"]) for item in checkpoints)
    assert collected[-1]["event"] == "done" and collected[-1] == {"event": "done", **summary}
    assert summary["chosen_checkpoint"]["step"] == 16 and summary["model_dir"] is None
    adapter_dir = summary["adapter_dir"]
    assert {"adapter_config.json", "adapter_model.safetensors"} <= set(os.listdir(adapter_dir))
    assert not any(name.endswith((".bin", ".pt", ".pth")) for name in os.listdir(adapter_dir))
    metrics = json.load(open(os.path.join(trained_lora["output_dir"], "metrics.json")))
    assert len(metrics["epochs"]) == 16 and metrics["epochs"][-1]["train_loss"] < metrics["epochs"][0]["train_loss"]
    assert metrics["epochs"][0]["tokens"] > 0 and metrics["epochs"][0]["tokens_per_second"] > 0
    assert metrics["chosen_checkpoint"] == summary["chosen_checkpoint"] and "peft" in metrics["versions"]


def test_adapter_reloads_with_peft_and_changes_outputs(trained_lora, tiny_model, tiny_tokenizer):
    from peft import PeftModel

    config = json.load(open(os.path.join(trained_lora["summary"]["adapter_dir"], "adapter_config.json")))
    assert config["peft_type"] == "LORA" and config["r"] == 16
    # all-linear: every attention and MLP projection carries an adapter
    assert {name.rsplit(".", 1)[-1] for name in config["target_modules"]} == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
    rows = memorize_rows(range(8))
    base_loss = mean_answer_loss(load_model(tiny_model), tiny_tokenizer, rows)
    adapted = PeftModel.from_pretrained(load_model(tiny_model), trained_lora["summary"]["adapter_dir"]).eval()
    adapted_loss = mean_answer_loss(adapted, tiny_tokenizer, rows)
    assert adapted_loss < 0.5 * base_loss


def test_merge_matches_base_plus_adapter(trained_lora, tiny_model, tmp_path):
    from peft import PeftModel

    from distillery_worker.merge import merge_adapter

    merged_dir = merge_adapter(tiny_model, trained_lora["summary"]["adapter_dir"], str(tmp_path / "merged"))
    assert os.path.isfile(os.path.join(merged_dir, "model.safetensors"))
    assert os.path.isfile(os.path.join(merged_dir, "tokenizer.json"))
    merged = load_model(merged_dir)
    assert not any("lora" in name for name in merged.state_dict())
    adapted = PeftModel.from_pretrained(load_model(tiny_model), trained_lora["summary"]["adapter_dir"]).eval()
    input_ids = torch.tensor([[5, 17, 42, 99, 3, 60, 7]])
    with torch.no_grad():
        expected = adapted(input_ids=input_ids).logits
        actual = merged(input_ids=input_ids).logits
        base = load_model(tiny_model)(input_ids=input_ids).logits
    torch.testing.assert_close(actual, expected, atol=1e-4, rtol=1e-4)
    assert not torch.allclose(base, expected, atol=1e-3)


def test_validation_split_is_never_trained_on(tiny_model, tiny_tokenizer, tmp_path):
    # Held-out questions with their own (memorizable) answers: if they leaked into training, their loss would
    # collapse like the training loss does.
    train_file = write_jsonl(tmp_path / "train.jsonl", memorize_rows(range(8)))
    validation_rows = memorize_rows(range(20, 24), answer_offset=1)
    validation_file = write_jsonl(tmp_path / "validation.jsonl", validation_rows)
    job = make_job(tiny_model, train_file, tmp_path / "out", validation_file=validation_file,
                   method="full", hyperparameters={"epochs": 10, "learning_rate": 5e-3, "packing": False})
    job.pop("lora")
    trainer, _ = build_trainer(parse_job(job))
    train_sequences = {tuple(ids) for ids in trainer.train_dataset["input_ids"]}
    validation_sequences = {tuple(ids) for ids in trainer.eval_dataset["input_ids"]}
    assert len(train_sequences) == 8 and len(validation_sequences) == 4
    assert train_sequences.isdisjoint(validation_sequences)

    summary, collected = run_job(job)
    step_losses, valid_losses = losses(collected), losses(collected, "eval", "valid_loss")
    assert len(valid_losses) == 10  # one evaluation per epoch
    assert step_losses[-1] < 0.2 * step_losses[0]
    assert valid_losses[-1] > 3 * step_losses[-1]


def test_checkpoint_choice_best_valid_loss_versus_last(tiny_model, tmp_path):
    # Validation asks the training questions but expects other answers: memorizing the training answers first
    # helps (format, end-of-turn) then hurts the validation loss, so the best checkpoint is not the last one.
    train_file = write_jsonl(tmp_path / "train.jsonl", memorize_rows(range(8)))
    validation_file = write_jsonl(tmp_path / "validation.jsonl", memorize_rows(range(8), answer_offset=2))
    outcomes = {}
    for rule in ("best_valid_loss", "last"):
        job = make_job(tiny_model, train_file, tmp_path / rule, validation_file=validation_file, checkpoint=rule,
                       hyperparameters={"epochs": 10})
        outcomes[rule] = run_job(job)

    best_summary, best_events = outcomes["best_valid_loss"]
    evaluations = [item for item in best_events if item["event"] == "eval"]
    best_eval = min(evaluations, key=lambda item: item["valid_loss"])
    assert best_eval["step"] != evaluations[-1]["step"], "fixture should make validation loss rise again"
    assert best_summary["chosen_checkpoint"] == {key: best_eval[key] for key in ("step", "epoch", "valid_loss")}
    best_checkpoint = next(item for item in best_events if item["event"] == "checkpoint"
                           and item["step"] == best_eval["step"])
    saved = load_file(os.path.join(best_summary["adapter_dir"], "adapter_model.safetensors"))
    from_checkpoint = load_file(os.path.join(best_checkpoint["path"], "adapter_model.safetensors"))
    assert saved.keys() == from_checkpoint.keys()
    assert all(torch.equal(saved[key], from_checkpoint[key]) for key in saved)

    last_summary, last_events = outcomes["last"]
    assert last_summary["chosen_checkpoint"]["step"] == evaluations[-1]["step"]
    assert last_summary["valid_loss"] == pytest.approx(evaluations[-1]["valid_loss"])
    last_saved = load_file(os.path.join(last_summary["adapter_dir"], "adapter_model.safetensors"))
    assert any(not torch.equal(saved[key], last_saved[key]) for key in saved)


def test_choose_checkpoint_rules():
    records = [{"step": 1, "valid_loss": 2.0}, {"step": 2, "valid_loss": 1.0}, {"step": 3, "valid_loss": 1.5}]
    assert choose_checkpoint(records, "last")["step"] == 3
    assert choose_checkpoint(records, "best_valid_loss")["step"] == 2


def test_early_stopping_stops_when_validation_stalls(tiny_model, tmp_path):
    train_file = write_jsonl(tmp_path / "train.jsonl", memorize_rows(range(8)))
    validation_file = write_jsonl(tmp_path / "validation.jsonl", memorize_rows(range(8), answer_offset=2))
    job = make_job(tiny_model, train_file, tmp_path / "out", validation_file=validation_file,
                   checkpoint="best_valid_loss", hyperparameters={"epochs": 30, "early_stopping_patience": 2})
    summary, collected = run_job(job)
    valid_losses = losses(collected, "eval", "valid_loss")
    assert len(valid_losses) < 30
    best = valid_losses.index(min(valid_losses))
    assert len(valid_losses) == best + 3  # stopped after two evaluations without improvement


def test_full_training_of_random_tiny_model(trained_full):
    summary, collected = trained_full["summary"], trained_full["events"]
    step_losses = losses(collected)
    assert step_losses[-1] < 0.1 * step_losses[0]
    assert summary["adapter_dir"] is None and os.path.isfile(os.path.join(summary["model_dir"], "model.safetensors"))
    # The saved model is the trained one: it answers the training rows far better than the random base.
    from distillery_worker.modeling import load_tokenizer

    rows, tokenizer = memorize_rows(range(8)), load_tokenizer(summary["model_dir"])
    trained_loss = mean_answer_loss(load_model(summary["model_dir"]), tokenizer, rows)
    assert trained_loss < 0.2 * mean_answer_loss(load_model(trained_full["job"]["base_model"]), tokenizer, rows)


def test_packing_does_not_leak_attention_across_examples(tiny_model, tmp_path):
    rows = memorize_rows(range(6))
    train_file = write_jsonl(tmp_path / "train.jsonl", rows)
    validation_file = write_jsonl(tmp_path / "validation.jsonl", rows)
    eval_losses = {}
    for packing in (True, False):
        # sdpa asked for explicitly: packed rows with a block mask (auto would pad, as no varlen kernel is here)
        job = make_job(tiny_model, train_file, tmp_path / f"out-{packing}", validation_file=validation_file,
                       hyperparameters={"packing": packing}, attn_implementation="sdpa")
        trainer, callback = build_trainer(parse_job(job))
        assert callback.acceleration["packing"] == ("block_mask" if packing else "padding")
        eval_losses[packing] = trainer.evaluate()["eval_loss"]
    assert eval_losses[True] == pytest.approx(eval_losses[False], abs=1e-4)


def test_distillation_loss_is_zero_for_identical_logits_and_positive_otherwise():
    from distillery_worker.kd import answer_positions

    torch.manual_seed(0)
    logits = torch.randn(1, 6, 11)
    labels = torch.tensor([[-100, -100, 3, 4, 5, 6]])
    keep, mask, targets = answer_positions(labels)
    assert keep.tolist() == [1, 2, 3, 4] and targets.tolist() == [3, 4, 5, 6]
    student = logits[:, keep][mask]
    for direction in ("forward", "reverse"):
        mixed, cross_entropy = distillation_loss(student, student.clone(), targets, 2.0, 1.0, direction)
        assert mixed.item() == pytest.approx(0.0, abs=1e-6) and cross_entropy.item() > 0
        other = torch.randn(4, 11)
        mixed, _ = distillation_loss(student, other, targets, 2.0, 1.0, direction)
        # Chunking changes nothing: one position at a time gives the same sums.
        chunked, _ = distillation_loss(student, other, targets, 2.0, 1.0, direction, chunk=1)
        assert mixed.item() > 0.01 and chunked.item() == pytest.approx(mixed.item(), rel=1e-6)


def test_tokenizers_are_compared_by_vocabulary_content(tiny_tokenizer, tmp_path):
    from distillery_worker.events import ConfigError
    from distillery_worker.kd import same_vocabulary

    assert same_vocabulary(tiny_tokenizer, tiny_tokenizer) == len(tiny_tokenizer)
    (tmp_path / "other.txt").write_text("completely different words make another vocabulary here\n" * 50)
    from distillery_worker.tiny import train_tokenizer

    other = train_tokenizer(str(tmp_path / "other.txt"), len(tiny_tokenizer))
    with pytest.raises(ConfigError, match="tokenizers differ"):
        same_vocabulary(tiny_tokenizer, other)


def kd_job(tiny_model, teacher_dir, tmp_path, name: str, alpha: float) -> dict:
    train_file = write_jsonl(tmp_path / "train.jsonl", memorize_rows(range(8)))
    return make_job(tiny_model, train_file, tmp_path / name,
                    loss={"type": "kd", "teacher_model": teacher_dir, "temperature": 1.0, "alpha": alpha,
                          "direction": "forward"})


def test_kd_loss_runs_and_falls(trained_full, tiny_model, tmp_path):
    summary, collected = run_job(kd_job(tiny_model, trained_full["summary"]["model_dir"], tmp_path, "mixed", 0.5))
    step_losses = losses(collected)
    assert len(step_losses) == 12 and all(loss == loss for loss in step_losses)
    assert step_losses[-1] < 0.5 * step_losses[0]
    assert os.path.isfile(os.path.join(summary["adapter_dir"], "adapter_model.safetensors"))


def test_pure_kl_distillation_pulls_the_student_to_the_teacher(trained_full, tiny_model, tmp_path, monkeypatch):
    """alpha = 1: only the KL term trains, so a broken KL cannot hide behind the cross-entropy half."""
    from distillery_worker import kd

    teacher_dir = trained_full["summary"]["model_dir"]
    rows = memorize_rows(range(8))
    tokenizer = load_tokenizer_for(tiny_model)
    teacher_loss = mean_answer_loss(load_model(teacher_dir), tokenizer, rows)
    base_loss = mean_answer_loss(load_model(tiny_model), tokenizer, rows)

    summary, collected = run_job(kd_job(tiny_model, teacher_dir, tmp_path, "kl", 1.0))
    from peft import PeftModel

    student = PeftModel.from_pretrained(load_model(tiny_model), summary["adapter_dir"]).eval()
    student_loss = mean_answer_loss(student, tokenizer, rows)
    step_losses = losses(collected)
    assert step_losses[-1] < 0.3 * step_losses[0]
    # The answers were never given as targets (alpha = 1), yet the student learned them from the teacher.
    assert student_loss < base_loss - 0.5 * (base_loss - teacher_loss)

    # The same run with the KL broken on purpose (the teacher's distribution ignored) must fail that check.
    def broken(student_logits, teacher_logits, temperature, direction):
        return kd.F.log_softmax(student_logits.float(), dim=-1).sum() * 0.0

    monkeypatch.setattr(kd, "kl_divergence", broken)
    summary, collected = run_job(kd_job(tiny_model, teacher_dir, tmp_path, "broken", 1.0))
    broken_student = PeftModel.from_pretrained(load_model(tiny_model), summary["adapter_dir"]).eval()
    assert not mean_answer_loss(broken_student, tokenizer, rows) < base_loss - 0.5 * (base_loss - teacher_loss)


def load_tokenizer_for(model_dir):
    from distillery_worker.modeling import load_tokenizer

    return load_tokenizer(model_dir)


def test_packing_choice_follows_the_attention_kernel(tiny_model, tmp_path):
    train_file = write_jsonl(tmp_path / "train.jsonl", memorize_rows(range(4)))
    from distillery_worker.acceleration import choose_packing, plan

    # No varlen kernel on CPU: auto attention pads rather than building a dense block mask over a packed batch.
    assert plan(parse_job(make_job(tiny_model, train_file, tmp_path / "out")), "cpu").packing == "padding"
    assert choose_packing(True, "flash_attention_2", "flash_attention_2") == "padding_free"
    assert choose_packing(True, "kernels-community/flash-attn3", "kernels-community/flash-attn3") == "padding_free"
    assert choose_packing(False, "flash_attention_2", "flash_attention_2") == "padding"
    from distillery_worker.events import ConfigError

    with pytest.raises(ConfigError, match="CUDA"):
        plan(parse_job(make_job(tiny_model, train_file, tmp_path / "out", liger_kernel=True)), "cpu")


def test_a_tiny_model_trains_on_one_cpu_thread_unless_omp_num_threads_says(tiny_model, tmp_path, monkeypatch):
    from distillery_worker.acceleration import SINGLE_THREAD_PARAMETERS, choose_cpu_threads

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert choose_cpu_threads("cpu", SINGLE_THREAD_PARAMETERS - 1) == 1
    assert choose_cpu_threads("cpu", SINGLE_THREAD_PARAMETERS) is None  # a real model keeps torch's default
    assert choose_cpu_threads("cuda", 1000) is None
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert choose_cpu_threads("cpu", 1000) is None
    monkeypatch.delenv("OMP_NUM_THREADS")
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        train_file = write_jsonl(tmp_path / "train.jsonl", memorize_rows(range(4)))
        build_trainer(parse_job(make_job(tiny_model, train_file, tmp_path / "out")))
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_qlora_trains_a_4bit_base_on_cpu(tiny_model, tmp_path):
    import bitsandbytes as bnb

    train_file = write_jsonl(tmp_path / "train.jsonl", memorize_rows(range(8)))
    job = make_job(tiny_model, train_file, tmp_path / "out", method="qlora", hyperparameters={"epochs": 8})
    trainer, _ = build_trainer(parse_job(job))
    quantized = [module for module in trainer.model.modules() if isinstance(module, bnb.nn.Linear4bit)]
    assert len(quantized) == 14  # 7 projections x 2 layers, each nf4 under its LoRA adapter
    assert quantized[0].weight.quant_type == "nf4"
    summary, collected = run_job(job)
    step_losses = losses(collected)
    assert collected[0]["quantized"] is True
    assert step_losses[-1] < 0.5 * step_losses[0]
    saved = load_file(os.path.join(summary["adapter_dir"], "adapter_model.safetensors"))
    assert saved and all("lora_" in key for key in saved)


def test_4bit_placement_per_rank_and_under_sharding(tiny_model, tmp_path, monkeypatch):
    from distillery_worker.acceleration import plan, quantization_config

    job = parse_job(make_job(tiny_model, tmp_path / "train.jsonl", tmp_path / "out", method="qlora"))
    monkeypatch.setenv("LOCAL_RANK", "1")
    # Under a multi-process launch each rank loads its 4-bit model onto its own GPU, not all onto cuda:0.
    assert plan(job, "cuda").device_map == {"": 1}
    assert plan(job, "cpu").device_map == "cpu"
    assert quantization_config("cuda").bnb_4bit_compute_dtype == torch.bfloat16
    monkeypatch.setenv("ACCELERATE_USE_FSDP", "true")
    sharded = plan(job, "cuda")
    assert sharded.sharded and sharded.device_map is None  # FSDP places and shards the weights itself
    assert quantization_config("cuda", sharded=True).bnb_4bit_quant_storage == torch.bfloat16
