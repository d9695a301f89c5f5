"""Reasoning traces as training targets (split.include_reasoning), against real chat templates.

A split row carries the teacher's trace in the assistant message's `reasoning_content`. The worker renders it
the way the student's template expects: Qwen3 / Qwen3.5 read `reasoning_content`, gpt-oss its analysis channel,
templates without reasoning support get a `<think>` block before the answer. Either way the trace is inside the
trained span (after the prompt serving sends), and a template that drops reasoning altogether is an error.
"""

import pytest

from distillery_worker.masking import (TemplateError, encode_chat, place_reasoning, reasoning_field,
                                       tokenize_conversation)

from test_template_matrix import SYSTEM, USER1, text_file, tokenizer_for, trained_spans  # noqa: F401 - fixture

TRACE = "two plus two is four\nso the answer is four"
ANSWER = "four"

# template -> (field it renders the trace from, exact trained text of the answer turn)
EXPECTED = {
    "Qwen-Qwen3-0.6B.jinja": ("reasoning_content", f"<think>\n{TRACE}\n</think>\n\n{ANSWER}<|im_end|>"),
    # Qwen3.5's generation prompt already opens <think>\n: the model generates the trace after it.
    "Qwen3.5-4B.jinja": ("reasoning_content", f"{TRACE}\n</think>\n\n{ANSWER}<|im_end|>"),
    # gpt-oss's template reads `thinking`; transformers hands it a message's reasoning_content under that name.
    "openai-gpt-oss-120b.jinja": ("reasoning_content", f"<|channel|>analysis<|message|>{TRACE}<|end|><|start|>assistant"
                                              f"<|channel|>final<|message|>{ANSWER}<|return|>"),
    # No reasoning support: the trace goes inline, in the <think> layout Qwen3-style models generate.
    "Qwen-Qwen2.5-7B-Instruct.jinja": (None, f"<think>\n{TRACE}\n</think>\n\n{ANSWER}<|im_end|>"),
    "meta-llama-Llama-3.1-8B-Instruct.jinja": (None, f"<think>\n{TRACE}\n</think>\n\n{ANSWER}<|eot_id|>"),
}


def row(trace: str | None = TRACE) -> list[dict]:
    answer = {"role": "assistant", "content": ANSWER}
    if trace is not None:
        answer["reasoning_content"] = trace
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER1}, answer]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_trace_is_rendered_the_templates_way_and_trained(name, text_file):  # noqa: F811
    tokenizer = tokenizer_for(name, text_file)
    field, expected = EXPECTED[name]
    assert reasoning_field(tokenizer) == field
    messages = row()
    [(input_ids, labels)] = tokenize_conversation(tokenizer, messages, max_length=4096)
    [(start, end)] = trained_spans(input_ids, labels)
    assert tokenizer.decode(input_ids[start:end]) == expected
    # Everything before the trained span is exactly the prompt serving sends; the trace is not in it.
    assert input_ids[:start] == encode_chat(tokenizer, messages[:-1], True, False)
    assert TRACE not in tokenizer.decode(input_ids[:start])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_row_without_a_trace_trains_as_before(name, text_file):  # noqa: F811
    tokenizer = tokenizer_for(name, text_file)
    plain = tokenize_conversation(tokenizer, row(None), max_length=4096)
    assert tokenize_conversation(tokenizer, row(""), max_length=4096) == plain
    assert place_reasoning(tokenizer, row(None)) == row(None)


def test_a_template_that_drops_reasoning_is_an_error_not_an_answer_only_target(text_file):  # noqa: F811
    # DeepSeek-R1's template cuts everything before </think> from an assistant message and reads no trace field.
    tokenizer = tokenizer_for("deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja", text_file)
    assert reasoning_field(tokenizer) is None
    with pytest.raises(TemplateError, match="DeepSeek-R1-Distill-Qwen-32B.jinja drops reasoning from assistant turns"):
        tokenize_conversation(tokenizer, row(), max_length=4096)


def test_a_split_file_with_traces_trains_them(tmp_path, text_file):  # noqa: F811
    # The file the split stage writes, read the way training reads it (data.tokenize_file).
    from conftest import write_jsonl
    from distillery_worker.data import tokenize_file

    tokenizer = tokenizer_for("Qwen-Qwen3-0.6B.jinja", text_file)
    path = write_jsonl(tmp_path / "train.jsonl", [{"messages": row()}, {"messages": row(None)}])
    columns = tokenize_file(tokenizer, path, max_length=4096)
    trained = [tokenizer.decode([token for token in labels if token != -100]) for labels in columns["labels"]]
    assert trained == [f"<think>\n{TRACE}\n</think>\n\n{ANSWER}<|im_end|>", f"<think>\n\n</think>\n\n{ANSWER}<|im_end|>"]
