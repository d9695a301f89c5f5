import json
import os
import subprocess
import sys

import pytest

from distillery_worker.events import ConfigError
from distillery_worker.jobfile import parse_job

from conftest import WORKER_DIR, make_job, memorize_rows, write_jsonl

MINIMAL = {"base_model": "some/model", "train_file": "train.jsonl", "output_dir": "out"}


def test_defaults_and_path_resolution(tmp_path):
    job = parse_job(MINIMAL, base_dir=str(tmp_path))
    assert job.method == "lora" and job.checkpoint == "last" and job.loss.type == "sft"
    assert job.lora.target_modules == "all-linear"
    assert job.hyperparameters.packing is True and job.hyperparameters.max_length == 1024
    assert job.train_file == str(tmp_path / "train.jsonl")
    assert job.base_model == "some/model"  # an HF id stays an id when no such directory exists
    assert job.hyperparameters.learning_rate == 2e-4 and job.attn_implementation == "auto" and job.resume is True
    full = parse_job({**MINIMAL, "method": "full"}, base_dir=str(tmp_path))
    assert full.hyperparameters.learning_rate == 1e-5  # full fine-tuning moves pretrained weights: no LoRA rate
    assert parse_job({**MINIMAL, "method": "full", "hyperparameters": {"learning_rate": 3e-5}}).hyperparameters \
        .learning_rate == 3e-5


@pytest.mark.parametrize("raw, fragment", [
    ({**MINIMAL, "epochs": 3}, "unknown key 'epochs'"),
    ({**MINIMAL, "hyperparameters": {"learning_rate": 1e-4, "lr": 1}}, "unknown key 'hyperparameters.lr'"),
    ({**MINIMAL, "lora": {"rank": 8}}, "unknown key 'lora.rank'"),
    ({**MINIMAL, "attn_implementation": "flash"}, "'attn_implementation' must be one of"),
    ({**MINIMAL, "hyperparameters": {"save_total_limit": 0}}, "save_total_limit"),
    ({**MINIMAL, "loss": {"type": "kd", "teacher_name": "x"}}, "unknown key 'loss.teacher_name'"),
    ({**MINIMAL, "loss": {"type": "on_policy", "teacher_model": "t", "teacher": "remote"}}, "'loss.teacher' must be one of"),
    ({**MINIMAL, "loss": {"type": "on_policy"}}, "'loss.teacher_model' is required when 'loss.type' is 'on_policy'"),
    ({**MINIMAL, "loss": {"type": "on_policy", "teacher_model": "t", "beta": 1.5}}, "'loss.beta' must be in [0, 1]"),
    ({**MINIMAL, "loss": {"type": "on_policy", "teacher_model": "t", "teacher": "served", "beta": 0.5, "top_k": 5}},
     "'loss.top_k' must be 1 with a served teacher"),
    ({"train_file": "t.jsonl", "output_dir": "o"}, "missing required key 'base_model'"),
    ({**MINIMAL, "method": "dora"}, "'method' must be one of"),
    ({**MINIMAL, "hyperparameters": {"batch_size": "8"}}, "'hyperparameters.batch_size' must be an integer"),
    ({**MINIMAL, "hyperparameters": {"packing": 1}}, "'hyperparameters.packing' must be a boolean"),
    ({**MINIMAL, "merge": "yes"}, "'merge' must be a boolean"),
    ({**MINIMAL, "hyperparameters": {"learning_rate": 0}}, "must be positive"),
    ({**MINIMAL, "checkpoint": "best_valid_loss"}, "needs a 'validation_file'"),
    ({**MINIMAL, "loss": {"type": "kd"}}, "'loss.teacher_model' is required"),
    ({**MINIMAL, "lora": {"target_modules": "all"}}, "target_modules"),
    ([1, 2], "JSON object"),
])
def test_invalid_jobs_name_the_problem(raw, fragment):
    with pytest.raises(ConfigError) as raised:
        parse_job(raw)
    assert fragment in str(raised.value)


def run_cli(*arguments, cwd):
    environment = {**os.environ, "PYTHONPATH": WORKER_DIR}
    return subprocess.run([sys.executable, "-m", "distillery_worker", *arguments], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=180)


def test_cli_reports_config_error_event(tmp_path):
    (tmp_path / "job.json").write_text(json.dumps({**MINIMAL, "hyperparameters": {"epoch": 1}}))
    result = run_cli("train", "job.json", cwd=tmp_path)
    assert result.returncode != 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]  # stdout holds JSON lines only
    assert lines[-1]["event"] == "error"
    assert lines[-1]["type"] == "ConfigError"
    assert "hyperparameters.epoch" in lines[-1]["message"]


def test_cli_reports_data_error_event(tmp_path, tiny_model):
    train_file = write_jsonl(tmp_path / "train.jsonl", memorize_rows(range(2)))
    with open(train_file, "a") as handle:
        handle.write("{broken\n")
    (tmp_path / "job.json").write_text(json.dumps(make_job(tiny_model, train_file, tmp_path / "out")))
    result = run_cli("train", "job.json", cwd=tmp_path)
    assert result.returncode != 0
    last = json.loads(result.stdout.splitlines()[-1])
    assert last["event"] == "error" and last["type"] == "DataError"
    assert "train.jsonl:3" in last["message"]
