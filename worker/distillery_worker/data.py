"""Read chat JSONL files (`{"messages": [...]}` per line) and turn them into token rows with labels."""

import json
import os

from .events import DataError, log
from .masking import tokenize_conversation

ROLES = ("system", "user", "assistant", "tool")


def read_json_lines(path: str, what: str = "data file"):
    """Yield `(where, value)` for every non-blank line of a JSONL file; `where` is `path:line` for errors."""
    if not os.path.isfile(path):
        raise DataError(f"{what} not found: {path}")
    with open(path, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{line_number}"
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(f"{where}: invalid JSON ({error.msg})") from error
            yield where, value


def read_conversations(path: str) -> list[list[dict]]:
    """Return the `messages` list of every non-blank line, validating shape and roles."""
    conversations = []
    for where, row in read_json_lines(path):
        if not isinstance(row, dict) or not isinstance(row.get("messages"), list) or not row["messages"]:
            raise DataError(f"{where}: expected an object with a non-empty 'messages' list")
        for message in row["messages"]:
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                raise DataError(f"{where}: each message needs a 'role' among {', '.join(ROLES)}")
            if not isinstance(message.get("content"), str):
                raise DataError(f"{where}: each message needs a string 'content'")
        if not any(message["role"] == "assistant" for message in row["messages"]):
            raise DataError(f"{where}: conversation has no assistant message to learn from")
        conversations.append(row["messages"])
    if not conversations:
        raise DataError(f"data file has no rows: {path}")
    return conversations


def tokenize_file(tokenizer, path: str, max_length: int, assistant_prefix: str = "") -> dict[str, list]:
    """Tokenize every conversation into `input_ids`/`labels` columns (labels are -100 outside trained spans).

    A conversation may give several sequences (see masking.py). Sequences left without any trained token after
    truncation to `max_length` are dropped (they carry no loss).
    """
    columns: dict[str, list] = {"input_ids": [], "labels": []}
    dropped = 0
    for line_number, messages in enumerate(read_conversations(path), start=1):
        try:
            sequences = tokenize_conversation(tokenizer, messages, max_length, assistant_prefix)
        except DataError as error:
            raise type(error)(f"{path}: row {line_number}: {error}") from error
        for input_ids, labels in sequences:
            if all(label == -100 for label in labels):
                dropped += 1
                continue
            columns["input_ids"].append(input_ids)
            columns["labels"].append(labels)
    if dropped:
        log(f"{path}: dropped {dropped} sequence(s) with no assistant tokens within max_length={max_length}")
    if not columns["input_ids"]:
        raise DataError(f"{path}: no row has assistant tokens within max_length={max_length}")
    return columns
