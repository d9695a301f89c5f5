"""`inspect` command: training rows exactly as the model will see them, before a real run.

For each sequence: the rendered text split into trained / untrained segments with their token counts, and what
`max_length` cuts. Summary: how many sequences are truncated, and how many answers lose their end-of-turn token
(the model would never learn to stop on them).
"""

from .data import read_conversations
from .masking import encode, tokenize_segments, training_sequences


def inspect_file(tokenizer, path: str, max_length: int, rows: int, assistant_prefix: str = "") -> dict:
    shown, conversations, sequences, truncated, losing_end = [], 0, 0, 0, 0
    lengths, trained_counts = [], []
    for number, messages in enumerate(read_conversations(path), start=1):
        conversations += 1
        for segments in training_sequences(tokenizer, messages, assistant_prefix):
            sequences += 1
            input_ids, mask = tokenize_segments(tokenizer, segments)
            trained = [position for position, keep in enumerate(mask) if keep]
            cut = len(input_ids) > max_length
            loses_end = bool(trained) and trained[-1] >= max_length
            truncated += cut
            losing_end += loses_end
            lengths.append(len(input_ids))
            trained_counts.append(sum(1 for position in trained if position < max_length))
            if len(shown) < rows:
                shown.append({
                    "row": number,
                    "segments": [{"text": segment.text, "trained": segment.trained,
                                  "tokens": len(encode(tokenizer, segment.text))} for segment in segments],
                    "tokens": len(input_ids),
                    "trained_tokens": len(trained),
                    "truncated_tokens": max(0, len(input_ids) - max_length),
                    "loses_end_token": loses_end,
                })
    return {
        "file": path,
        "template": tokenizer.name_or_path,
        "max_length": max_length,
        "conversations": conversations,
        "sequences": sequences,
        "truncated": truncated,
        "answers_losing_end_token": losing_end,
        "tokens": {"total": sum(lengths), "max": max(lengths) if lengths else 0,
                   "trained_total": sum(trained_counts)},
        "rows": shown,
    }
