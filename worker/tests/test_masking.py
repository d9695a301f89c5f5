import pytest

from distillery_worker.data import tokenize_file
from distillery_worker.events import DataError
from distillery_worker.masking import IGNORE_INDEX, assistant_mask, tokenize_conversation
from distillery_worker.tokens import token_statistics

from conftest import write_jsonl

CONVERSATION = [
    {"role": "system", "content": "Be short."},
    {"role": "user", "content": "what is number 1?"},
    {"role": "assistant", "content": "red cat"},
    {"role": "user", "content": "and number 2?"},
    {"role": "assistant", "content": "blue dog"},
]

# A Llama-2-like template without generation markers: the fallback must find the answers by rendering.
INST_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}<<SYS>>{{ message['content'] }}<</SYS>>"
    "{% elif message['role'] == 'user' %}[INST] {{ message['content'] }} [/INST]"
    "{% else %} {{ message['content'] }}<|im_end|>{% endif %}"
    "{% endfor %}"
)


def labeled_spans(tokenizer, input_ids, labels) -> list[str]:
    """Decode each contiguous run of labeled tokens."""
    spans, current = [], []
    for token, label in zip(input_ids, labels):
        if label != IGNORE_INDEX:
            assert label == token
            current.append(token)
        elif current:
            spans.append(tokenizer.decode(current))
            current = []
    if current:
        spans.append(tokenizer.decode(current))
    return spans


def test_only_assistant_tokens_carry_labels(tiny_tokenizer):
    [(input_ids, labels)] = tokenize_conversation(tiny_tokenizer, CONVERSATION, max_length=512)
    spans = labeled_spans(tiny_tokenizer, input_ids, labels)
    # Each answer is trained together with its end-of-turn token, and nothing else is.
    assert [span.strip() for span in spans] == ["red cat<|im_end|>", "blue dog<|im_end|>"]
    unlabeled = tiny_tokenizer.decode([t for t, label in zip(input_ids, labels) if label == IGNORE_INDEX])
    for text in ("Be short.", "what is number 1?", "and number 2?", "<|im_start|>assistant"):
        assert text in unlabeled


def test_masks_agree_with_the_templates_generation_markers(tiny_tokenizer):
    # The tiny template marks its answers with {% generation %}: masking by rendering finds the same tokens.
    encoded = tiny_tokenizer.apply_chat_template(CONVERSATION, return_dict=True, return_assistant_tokens_mask=True)
    [(input_ids, mask)] = assistant_mask(tiny_tokenizer, CONVERSATION)
    assert input_ids == list(encoded["input_ids"]) and mask == list(encoded["assistant_masks"])


def test_template_without_markers(tiny_tokenizer):
    tokenizer = tiny_tokenizer.__class__.from_pretrained(tiny_tokenizer.name_or_path)
    tokenizer.chat_template = INST_TEMPLATE
    [(input_ids, labels)] = tokenize_conversation(tokenizer, CONVERSATION, max_length=512)
    spans = labeled_spans(tokenizer, input_ids, labels)
    assert [span.strip() for span in spans] == ["red cat<|im_end|>", "blue dog<|im_end|>"]


def test_truncation_drops_rows_without_answer_tokens(tiny_tokenizer, tmp_path):
    path = write_jsonl(tmp_path / "rows.jsonl", [{"messages": CONVERSATION}])
    full_length = len(tokenize_conversation(tiny_tokenizer, CONVERSATION, 512)[0][0])
    assert len(tokenize_file(tiny_tokenizer, path, full_length)["input_ids"][0]) == full_length
    with pytest.raises(DataError, match="no row has assistant tokens"):
        tokenize_file(tiny_tokenizer, path, max_length=8)


@pytest.mark.parametrize("line, message", [
    ("not json", "invalid JSON"),
    ('{"messages": [{"role": "user", "content": "hi"}]}', "no assistant message"),
    ('{"messages": [{"role": "wizard", "content": "hi"}]}', "role"),
    ('{"text": "hi"}', "messages"),
])
def test_bad_rows_are_data_errors(tiny_tokenizer, tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(DataError, match=message):
        tokenize_file(tiny_tokenizer, str(path), 128)


def test_token_statistics(tiny_tokenizer, tmp_path):
    short = [CONVERSATION[1], CONVERSATION[2]]
    path = write_jsonl(tmp_path / "rows.jsonl", [{"messages": CONVERSATION}, {"messages": short}])
    statistics = token_statistics(tiny_tokenizer, path)
    [(long_ids, long_mask)] = assistant_mask(tiny_tokenizer, CONVERSATION)
    [(short_ids, short_mask)] = assistant_mask(tiny_tokenizer, short)
    assert statistics["count"] == 2
    assert statistics["tokens"]["total"] == len(long_ids) + len(short_ids)
    assert statistics["tokens"]["max"] == len(long_ids)
    assert statistics["tokens"]["p50"] == len(short_ids)
    assert statistics["assistant_tokens"]["total"] == sum(long_mask) + sum(short_mask)
    assert statistics["assistant_tokens"]["mean"] == (sum(long_mask) + sum(short_mask)) / 2


def test_inspect_shows_trained_spans_and_what_max_length_cuts(tiny_tokenizer, tmp_path):
    from distillery_worker.inspection import inspect_file

    long_answer = " ".join(["red cat"] * 40)
    rows = [{"messages": CONVERSATION},
            {"messages": [CONVERSATION[1], {"role": "assistant", "content": long_answer}]}]
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    [(first_ids, first_mask)] = assistant_mask(tiny_tokenizer, CONVERSATION)
    max_length = len(first_ids)  # the first row fits exactly; the long answer is cut before its end token
    report = inspect_file(tiny_tokenizer, path, max_length, rows=1)
    assert report["conversations"] == 2 and report["sequences"] == 2
    assert report["truncated"] == 1 and report["answers_losing_end_token"] == 1
    [shown] = report["rows"]
    assert shown["tokens"] == len(first_ids) and shown["trained_tokens"] == sum(first_mask)
    assert [segment["text"] for segment in shown["segments"] if segment["trained"]] == ["red cat<|im_end|>",
                                                                                        "blue dog<|im_end|>"]
    assert "".join(segment["text"] for segment in shown["segments"]).startswith("<|im_start|>system\nBe short.")
    assert sum(segment["tokens"] for segment in shown["segments"]) == len(first_ids)
    assert not shown["loses_end_token"] and shown["truncated_tokens"] == 0
