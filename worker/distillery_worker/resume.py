"""Resume a killed training from its newest complete checkpoint, when the job is still the same.

`output_dir/checkpoints/job-fingerprint.json` holds a hash of everything that shapes the weights (the job's
training keys and the bytes of its data files). A run with the same fingerprint continues from the newest
checkpoint that has its `progress.json` (written by the event callback after the Trainer saved it, so a
checkpoint cut short by the kill is never used); any other run starts over in an emptied folder.
"""

import dataclasses
import hashlib
import json
import os
import re
import shutil

from .events import is_main_process, log
from .jobfile import Job

FINGERPRINT_FILE = "job-fingerprint.json"
PROGRESS_FILE = "progress.json"
# Keys that do not change the trained weights: changing them keeps the checkpoints.
_NOT_SHAPING = ("resume", "merge", "checkpoint", "output_dir")
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


def checkpoints_dir(job: Job) -> str:
    return os.path.join(job.output_dir, "checkpoints")


def job_fingerprint(job: Job) -> str:
    values = {key: value for key, value in dataclasses.asdict(job).items() if key not in _NOT_SHAPING}
    digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode())
    for path in (job.train_file, job.validation_file):
        if path:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def newest_complete_checkpoint(directory: str) -> str | None:
    steps = []
    for name in os.listdir(directory) if os.path.isdir(directory) else []:
        match = _CHECKPOINT.match(name)
        if match and os.path.isfile(os.path.join(directory, name, PROGRESS_FILE)):
            steps.append((int(match.group(1)), name))
    return os.path.join(directory, max(steps)[1]) if steps else None


def resume_point(job: Job) -> str | None:
    """The checkpoint to continue from, or None to start over (read-only: every rank may call it)."""
    directory = checkpoints_dir(job)
    fingerprint_path = os.path.join(directory, FINGERPRINT_FILE)
    if not job.resume or not os.path.isfile(fingerprint_path):
        return None
    with open(fingerprint_path, encoding="utf-8") as handle:
        if json.load(handle).get("fingerprint") != job_fingerprint(job):
            log("the job changed since the checkpoints were written: training starts over")
            return None
    return newest_complete_checkpoint(directory)


def prepare_checkpoints(job: Job, resume_from: str | None) -> None:
    """Main process: empty the folder when starting over, and record which job the checkpoints belong to."""
    if not is_main_process():
        return
    directory = checkpoints_dir(job)
    if resume_from is None:
        shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, FINGERPRINT_FILE), "w", encoding="utf-8") as handle:
        json.dump({"fingerprint": job_fingerprint(job)}, handle)


def read_progress(checkpoint: str) -> dict:
    with open(os.path.join(checkpoint, PROGRESS_FILE), encoding="utf-8") as handle:
        return json.load(handle)


def write_progress(checkpoint: str, progress: dict) -> None:
    path = os.path.join(checkpoint, PROGRESS_FILE)
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(progress, handle)
    os.replace(path + ".tmp", path)
