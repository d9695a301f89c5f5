"""Tokenize a conversation with the tokenizer's chat template and mark which tokens are the assistant's.

Two ways to find assistant tokens:
- the template has `{% generation %}` markers: the tokenizer returns the mask itself;
- otherwise (most templates): render the prompt before each assistant turn with `add_generation_prompt=True`
  and the conversation up to the end of that turn, take the character span where they differ from the full
  rendering, and map it to tokens with the offset mapping. Comparing text rather than token ids avoids false
  boundaries where BPE merges across the prompt/answer seam, and the common-prefix rule copes with templates
  that render earlier turns differently (e.g. dropping reasoning).
"""

import re

IGNORE_INDEX = -100
_GENERATION_TAG = re.compile(r"\{%-?\s*generation\s*-?%\}")


def has_generation_markers(tokenizer) -> bool:
    return bool(_GENERATION_TAG.search(tokenizer.chat_template or ""))


def render(tokenizer, messages: list[dict], **kwargs) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, **kwargs)


def assistant_mask(tokenizer, messages: list[dict]) -> tuple[list[int], list[int]]:
    """Return `(input_ids, mask)` for the whole conversation, mask 1 on assistant tokens."""
    if has_generation_markers(tokenizer):
        encoded = tokenizer.apply_chat_template(
            messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
        )
        return list(encoded["input_ids"]), list(encoded["assistant_masks"])
    return _assistant_mask_by_rendering(tokenizer, messages)


def _common_prefix_length(left: str, right: str) -> int:
    length = 0
    for a, b in zip(left, right):
        if a != b:
            break
        length += 1
    return length


def assistant_char_spans(tokenizer, messages: list[dict]) -> tuple[str, list[tuple[int, int]]]:
    full_text = render(tokenizer, messages)
    spans = []
    for index, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        prompt_text = render(tokenizer, messages[:index], add_generation_prompt=True) if index else ""
        turn_text = render(tokenizer, messages[: index + 1])
        start = _common_prefix_length(prompt_text, full_text)
        end = _common_prefix_length(turn_text, full_text)
        # Whitespace a template puts after the end-of-turn token is layout, not something to learn.
        end = start + len(full_text[start:end].rstrip())
        if end > start:
            spans.append((start, end))
    return full_text, spans


def _assistant_mask_by_rendering(tokenizer, messages: list[dict]) -> tuple[list[int], list[int]]:
    full_text, spans = assistant_char_spans(tokenizer, messages)
    encoded = tokenizer(full_text, add_special_tokens=False, return_offsets_mapping=True)
    mask = []
    for token_start, token_end in encoded["offset_mapping"]:
        # A token belongs to the answer when it starts inside an assistant span (zero-width tokens never do).
        inside = token_end > token_start and any(start <= token_start < end for start, end in spans)
        mask.append(1 if inside else 0)
    return list(encoded["input_ids"]), mask


def tokenize_conversation(tokenizer, messages: list[dict], max_length: int) -> tuple[list[int], list[int]]:
    """Return `(input_ids, labels)` truncated to `max_length`; labels are -100 except on assistant tokens."""
    input_ids, mask = assistant_mask(tokenizer, messages)
    input_ids, mask = input_ids[:max_length], mask[:max_length]
    labels = [token if keep else IGNORE_INDEX for token, keep in zip(input_ids, mask)]
    return input_ids, labels
