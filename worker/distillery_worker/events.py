"""JSON-lines events on stdout (the contract with the TypeScript side) and typed worker errors.

Only stdout carries events; every human-readable log goes to stderr. Under `accelerate launch`
only the main process (RANK 0) prints, so the parent sees one stream.
"""

import json
import math
import os
import sys
from typing import Any


class WorkerError(Exception):
    """Base of the errors reported as `{"event": "error", "type": <class name>}`."""


class ConfigError(WorkerError):
    """The job file or command-line arguments are invalid."""


class DataError(WorkerError):
    """A data file is missing, malformed, or yields no trainable tokens."""


class ModelLoadError(WorkerError):
    """The base model, adapter or tokenizer could not be loaded."""


class OutOfMemory(WorkerError):
    """The accelerator (or host) ran out of memory."""


class TrainingError(WorkerError):
    """Training failed for another reason (e.g. the loss became NaN)."""


# Events go to the real stdout; `reserve_stdout_for_events` points `sys.stdout` at stderr so that prints from
# libraries (e.g. the Trainer's log dicts) cannot corrupt the JSON-lines stream.
_event_stream = sys.stdout


def reserve_stdout_for_events() -> None:
    global _event_stream
    _event_stream = sys.stdout
    sys.stdout = sys.stderr


def write_json_line(value: Any) -> None:
    _event_stream.write(json.dumps(_json_safe(value), ensure_ascii=False) + "\n")
    _event_stream.flush()


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def _json_safe(value: Any) -> Any:
    # NaN/inf are not valid JSON; the reader on the other side would choke on them.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value


def emit(event: str, **fields: Any) -> None:
    """Print one event line to stdout and flush it, on the main process only."""
    if not is_main_process():
        return
    write_json_line({"event": event, **fields})


def error_type_of(error: BaseException, fallback: str = "TrainingError") -> str:
    if isinstance(error, WorkerError):
        # Subclasses (PrefixError, TemplateError) report the contract type they refine.
        return next(cls.__name__ for cls in type(error).__mro__ if cls.__bases__ == (WorkerError,) or cls is WorkerError)
    if isinstance(error, MemoryError) or "OutOfMemoryError" in type(error).__name__:
        return "OutOfMemory"
    return fallback


def emit_error(error: BaseException, fallback: str = "TrainingError") -> None:
    error_type = error_type_of(error, fallback)
    message = str(error) or type(error).__name__
    emit("error", type=error_type, message=message)


def log(message: str) -> None:
    sys.stderr.write(f"[distillery-worker] {message}\n")
    sys.stderr.flush()
