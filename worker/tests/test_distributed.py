"""Two worker processes under `accelerate launch` (gloo on CPU) train like one process with the same global batch."""

import json
import os
import subprocess
import sys

import torch
from safetensors.torch import load_file

from conftest import WORKER_DIR, make_job, memorize_rows, write_jsonl

# What the TypeScript side writes for `student.distributed: {processes: 2, strategy: ddp}` (distributed-launch.ts).
DDP_CONFIG = {"compute_environment": "LOCAL_MACHINE", "distributed_type": "MULTI_GPU", "num_machines": 1,
              "num_processes": 2, "machine_rank": 0, "main_process_port": 29517, "rdzv_backend": "static",
              "same_network": True, "use_cpu": False}


def train(job: dict, directory, launcher: list[str]) -> tuple[list[dict], str]:
    path = directory / f"job-{job['output_dir'].rsplit('/', 1)[-1]}.json"
    path.write_text(json.dumps(job))
    result = subprocess.run([sys.executable, *launcher, "train", str(path)], cwd=directory, capture_output=True,
                            text=True, timeout=600, env={**os.environ, "PYTHONPATH": WORKER_DIR})
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr


def test_two_gloo_processes_match_one_process_with_the_same_global_batch(tiny_model, tmp_path):
    train_file = write_jsonl(tmp_path / "train.jsonl", memorize_rows(range(8)))
    settings = {"hyperparameters": {"epochs": 3, "learning_rate": 5e-3}}
    single_job = make_job(tiny_model, train_file, tmp_path / "single", **{"hyperparameters": {
        **settings["hyperparameters"], "batch_size": 8}})
    pair_job = make_job(tiny_model, train_file, tmp_path / "pair", **{"hyperparameters": {
        **settings["hyperparameters"], "batch_size": 4}})  # 2 processes x 4 rows = the same 8-row global batch
    (tmp_path / "accelerate.json").write_text(json.dumps(DDP_CONFIG))

    single, _ = train(single_job, tmp_path, ["-m", "distillery_worker"])
    pair, _ = train(pair_job, tmp_path, ["-m", "accelerate.commands.launch", "--config_file",
                                               str(tmp_path / "accelerate.json"), "-m", "distillery_worker"])
    assert pair[0]["event"] == "start" and pair[0]["processes"] == 2 and single[0]["processes"] == 1
    # Rank 0 alone reports: each step and checkpoint appears once, and one done event.
    assert [event["step"] for event in pair if event["event"] == "step"] == [1, 2, 3]
    assert [event["event"] for event in pair].count("done") == 1
    saved = sorted(name for name in os.listdir(tmp_path / "pair" / "checkpoints") if name.startswith("checkpoint-"))
    assert saved == ["checkpoint-1", "checkpoint-2", "checkpoint-3"]

    single_losses = [event["loss"] for event in single if event["event"] == "step"]
    pair_losses = [event["loss"] for event in pair if event["event"] == "step"]
    for one, two in zip(single_losses, pair_losses):
        assert abs(one - two) < 1e-4 * max(1.0, abs(one))
    expected = load_file(os.path.join(tmp_path / "single" / "adapter", "adapter_model.safetensors"))
    actual = load_file(os.path.join(tmp_path / "pair" / "adapter", "adapter_model.safetensors"))
    assert expected.keys() == actual.keys()
    for key in expected:
        torch.testing.assert_close(actual[key], expected[key], rtol=1e-4, atol=1e-5)
