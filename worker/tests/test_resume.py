"""Kill-and-resume of local training: the resumed run ends with the adapter an uninterrupted run gets."""

import json
import os
import signal
import subprocess
import sys

import torch
from safetensors.torch import load_file

from conftest import WORKER_DIR, make_job, memorize_rows, write_jsonl


def start_worker(job: dict, directory) -> subprocess.Popen:
    path = directory / f"job-{len(os.listdir(directory))}.json"
    path.write_text(json.dumps(job))
    return subprocess.Popen([sys.executable, "-m", "distillery_worker", "train", str(path)], cwd=directory,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": WORKER_DIR})


def finish(process: subprocess.Popen) -> tuple[list[dict], str]:
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr[-3000:]
    return [json.loads(line) for line in stdout.splitlines()], stderr


def adapter(output_dir) -> dict:
    return load_file(os.path.join(output_dir, "adapter", "adapter_model.safetensors"))


def test_killed_training_resumes_and_ends_where_an_uninterrupted_run_does(tiny_model, tmp_path):
    train_file = write_jsonl(tmp_path / "train.jsonl", memorize_rows(range(8)))
    # 8 rows, batch 4: two optimizer steps per epoch, a checkpoint per epoch; dropout on, so the RNG state counts.
    settings = {"hyperparameters": {"epochs": 5, "batch_size": 4, "learning_rate": 5e-3, "lr_scheduler": "cosine",
                                    "save_total_limit": 2},
                "lora": {"r": 8, "alpha": 16, "dropout": 0.1}}
    reference, _ = finish(start_worker(make_job(tiny_model, train_file, tmp_path / "reference", **settings), tmp_path))

    job = make_job(tiny_model, train_file, tmp_path / "killed", **settings)
    process = start_worker(job, tmp_path)
    for line in process.stdout:
        event = json.loads(line)
        if event["event"] == "checkpoint" and event["step"] == 4:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    kept = sorted(os.listdir(tmp_path / "killed" / "checkpoints"))
    assert "checkpoint-4" in kept and not os.path.isdir(tmp_path / "killed" / "adapter")

    resumed, stderr = finish(start_worker(job, tmp_path))
    start = resumed[0]
    assert start["event"] == "start" and start["resumed_from_step"] >= 4
    steps = [event["step"] for event in resumed if event["event"] == "step"]
    assert steps[0] == start["resumed_from_step"] + 1 and steps[-1] == 10
    # The earlier checkpoints are reported again, so the whole run's checkpoints are known to the reader.
    assert [event["step"] for event in resumed if event["event"] == "checkpoint"][0] <= 4
    # save_total_limit: at most two checkpoints stay on disk.
    assert len([name for name in os.listdir(tmp_path / "killed" / "checkpoints") if name.startswith("checkpoint-")]) <= 2

    expected, actual = adapter(tmp_path / "reference"), adapter(tmp_path / "killed")
    assert expected.keys() == actual.keys()
    for key in expected:
        torch.testing.assert_close(actual[key], expected[key], rtol=0, atol=1e-6)
    reference_steps = {event["step"]: event["loss"] for event in reference if event["event"] == "step"}
    for event in resumed:
        if event["event"] == "step":
            assert abs(event["loss"] - reference_steps[event["step"]]) < 1e-5

    # A changed job does not continue the old run's checkpoints: it starts over.
    changed = make_job(tiny_model, train_file, tmp_path / "killed",
                       **{**settings, "hyperparameters": {**settings["hyperparameters"], "learning_rate": 1e-3,
                                                          "epochs": 1}})
    events, stderr = finish(start_worker(changed, tmp_path))
    assert "training starts over" in stderr
    assert events[0]["resumed_from_step"] is None
    assert [event["step"] for event in events if event["event"] == "step"][0] == 1
