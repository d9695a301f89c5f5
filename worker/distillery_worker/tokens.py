"""`tokens` command: token statistics of chat rows (whole conversation and assistant tokens)."""

import math

from .data import read_conversations
from .masking import assistant_mask


def _summary(values: list[int]) -> dict:
    ordered = sorted(values)

    def percentile(fraction: float) -> int:
        # Nearest-rank percentile: an actual row's count, never an interpolation.
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    return {
        "total": sum(ordered),
        "mean": sum(ordered) / len(ordered),
        "p50": percentile(0.50),
        "p95": percentile(0.95),
        "max": ordered[-1],
    }


def token_statistics(tokenizer, path: str) -> dict:
    full_counts, assistant_counts = [], []
    for messages in read_conversations(path):
        sequences = assistant_mask(tokenizer, messages)
        full_counts.append(sum(len(input_ids) for input_ids, _ in sequences))
        assistant_counts.append(sum(sum(mask) for _, mask in sequences))
    return {"count": len(full_counts), "tokens": _summary(full_counts), "assistant_tokens": _summary(assistant_counts)}
