"""Loss masking against the chat templates of real model families (../shared/data/chat-templates).

For every template, single- and multi-turn: the trained tokens are exactly each answer, plus what the template
makes the model generate before it (an empty think block, a channel header), plus its end-of-turn token —
never system or user text — and the tokens before each trained span are exactly the prompt serving sends.
"""

import os

import pytest

from distillery_worker.masking import (IGNORE_INDEX, PrefixError, TemplateError, encode_chat, tokenize_conversation,
                                       training_sequences)
from distillery_worker.tiny import train_tokenizer

from conftest import fixture_text

TEMPLATES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                             "..", "shared", "data", "chat-templates")

# template file -> (bos token, end-of-turn token, text the template puts before the last answer)
TEMPLATES = {
    "Qwen-Qwen3-0.6B.jinja": (None, "<|im_end|>", "<think>\n\n</think>\n\n"),
    "Qwen3.5-4B.jinja": (None, "<|im_end|>", "\n</think>\n\n"),  # its generation prompt already opens <think>\n
    "Qwen-Qwen2.5-7B-Instruct.jinja": (None, "<|im_end|>", ""),
    "HuggingFaceTB-SmolLM3-3B.jinja": (None, "<|im_end|>", ""),
    "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", ""),
    "meta-llama-Llama-3.1-8B-Instruct.jinja": ("<|begin_of_text|>", "<|eot_id|>", ""),
    "meta-llama-Llama-3.2-3B-Instruct.jinja": ("<|begin_of_text|>", "<|eot_id|>", ""),
    "mistralai-Mistral-Nemo-Instruct-2407.jinja": ("<s>", "</s>", ""),
    "Mistral-Small-3.2-24B-Instruct-2506.jinja": ("<s>", "</s>", ""),
    "google-gemma-2-2b-it.jinja": ("<bos>", "<end_of_turn>", ""),
    "microsoft-Phi-3.5-mini-instruct.jinja": (None, "<|end|>", ""),
    "ibm-granite-granite-3.3-2B-Instruct.jinja": (None, "<|end_of_text|>", ""),
    "openai-gpt-oss-120b.jinja": (None, "<|return|>", "<|channel|>final<|message|>"),
}
NO_SYSTEM_ROLE = {"google-gemma-2-2b-it.jinja"}
# Templates that render an earlier answer without what the model generates before it (the think block).
EARLIER_TURNS_WITHOUT_PREAMBLE = {"Qwen-Qwen3-0.6B.jinja", "Qwen3.5-4B.jinja"}

SYSTEM, USER1, ANSWER1, USER2, ANSWER2 = ("Answer briefly.", "what is number 1?", "red cat", "and number 2?",
                                          "blue dog")


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("text") / "text.txt"
    path.write_text(fixture_text(), encoding="utf-8")
    return str(path)


def tokenizer_for(name: str, text_file: str):
    path = os.path.join(TEMPLATES_DIR, name)
    if not os.path.isfile(path):
        pytest.fail(f"real chat templates missing: {path} (../shared/data must sit beside the repository)")
    bos, eos, _ = TEMPLATES[name]
    with open(path, encoding="utf-8") as handle:
        tokenizer = train_tokenizer(text_file, 512, handle.read(), bos, eos)
    tokenizer.name_or_path = name
    return tokenizer


def conversations(name: str) -> dict[str, list[dict]]:
    system = [] if name in NO_SYSTEM_ROLE else [{"role": "system", "content": SYSTEM}]
    single = [*system, {"role": "user", "content": USER1}, {"role": "assistant", "content": ANSWER1}]
    multi = [*single, {"role": "user", "content": USER2}, {"role": "assistant", "content": ANSWER2}]
    return {"single": single, "multi": multi}


def trained_spans(input_ids, labels) -> list[tuple[int, int]]:
    spans, start = [], None
    for position, label in enumerate([*labels, IGNORE_INDEX]):
        if label != IGNORE_INDEX and start is None:
            start = position
        elif label == IGNORE_INDEX and start is not None:
            spans.append((start, position))
            start = None
    return spans


@pytest.mark.parametrize("name", sorted(TEMPLATES))
@pytest.mark.parametrize("shape", ["single", "multi"])
def test_trained_spans_are_answers_and_prompts_are_what_serving_sends(name, shape, text_file):
    tokenizer = tokenizer_for(name, text_file)
    _, eos, preamble = TEMPLATES[name]
    messages = conversations(name)[shape]
    answers = [index for index, message in enumerate(messages) if message["role"] == "assistant"]
    sequences = tokenize_conversation(tokenizer, messages, max_length=4096)
    trained, prompts_checked = [], 0
    for input_ids, labels in sequences:
        for start, end in trained_spans(input_ids, labels):
            assert labels[start:end] == input_ids[start:end]
            text = tokenizer.decode(input_ids[start:end])
            trained.append(text)
            # Which turn this is: the one whose answer the span carries. What precedes it must be, token for
            # token, the prompt the server builds for the conversation up to that turn.
            turn = next(index for index in answers if messages[index]["content"] + eos in text)
            assert input_ids[:start] == encode_chat(tokenizer, messages[:turn], True, False), (name, shape, text)
            prompts_checked += 1
    expected = [preamble + messages[index]["content"] + eos for index in answers]
    assert trained == expected, name
    assert prompts_checked == len(answers)
    for text in trained:
        assert SYSTEM not in text and USER1 not in text and USER2 not in text
    if shape == "multi" and name in EARLIER_TURNS_WITHOUT_PREAMBLE:
        assert len(sequences) == 2  # the first answer is trained on the prompt serving would send for it


def test_mistral_nemo_trains_the_system_prompt_where_serving_sends_it(text_file):
    # Nemo renders the system prompt into the last user message: a text diff of the whole conversation would
    # train `USER1[/INST] ANSWER1</s>` and drop the system prompt. Each turn must see it in its own prompt.
    tokenizer = tokenizer_for("mistralai-Mistral-Nemo-Instruct-2407.jinja", text_file)
    sequences = training_sequences(tokenizer, conversations("mistralai-Mistral-Nemo-Instruct-2407.jinja")["multi"])
    prompts = ["".join(segment.text for segment in sequence if not segment.trained) for sequence in sequences]
    assert prompts[0] == f"<s>[INST]{SYSTEM}\n\n{USER1}[/INST]"
    assert prompts[1].endswith(f"[INST]{SYSTEM}\n\n{USER2}[/INST]")


def test_template_that_rejects_a_conversation_is_named(text_file):
    tokenizer = tokenizer_for("google-gemma-2-2b-it.jinja", text_file)
    messages = [{"role": "system", "content": SYSTEM}, *conversations("google-gemma-2-2b-it.jinja")["single"]]
    with pytest.raises(TemplateError, match="google-gemma-2-2b-it.jinja rejects this conversation: System role"):
        training_sequences(tokenizer, messages)


def test_template_whose_generation_prompt_is_not_how_it_renders_answers_cannot_be_masked(text_file):
    tokenizer = tokenizer_for("Qwen-Qwen2.5-7B-Instruct.jinja", text_file)
    tokenizer.name_or_path = "odd-template"
    # The generation prompt says "bot" but a finished answer is headed "assistant": nothing to train that matches.
    tokenizer.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>bot\n{% endif %}")
    with pytest.raises(TemplateError, match="odd-template cannot be masked: its generation prompt ends"):
        training_sequences(tokenizer, conversations("Qwen-Qwen2.5-7B-Instruct.jinja")["single"])


def test_qwen3_assistant_prefix_must_be_the_one_the_template_renders(text_file):
    name = "Qwen-Qwen3-0.6B.jinja"
    tokenizer = tokenizer_for(name, text_file)
    history = conversations(name)["single"][:-1]
    written = "<think></think>"
    with pytest.raises(PrefixError, match=r"re-rendered by the chat template of Qwen-Qwen3-0.6B.jinja as "
                                          r"'<think>\\n\\n</think>\\n\\n'"):
        training_sequences(tokenizer, [*history, {"role": "assistant", "content": written + ANSWER1}], written)
    with pytest.raises(PrefixError):  # serving refuses it too (the server answers 400)
        encode_chat(tokenizer, [*history, {"role": "assistant", "content": written}], False, True)

    prefix = "<think>\n\n</think>\n\n"
    [(input_ids, labels)] = tokenize_conversation(
        tokenizer, [*history, {"role": "assistant", "content": prefix + ANSWER1}], 4096, prefix)
    [(start, end)] = trained_spans(input_ids, labels)
    assert tokenizer.decode(input_ids[start:end]) == prefix + ANSWER1 + "<|im_end|>"
    # Serving continues the prefix: its prompt is the training prompt followed by the prefix, byte for byte.
    served = encode_chat(tokenizer, [*history, {"role": "assistant", "content": prefix}], False, True)
    assert tokenizer.decode(served) == tokenizer.decode(input_ids[:start]) + prefix
    assert served[:start] == input_ids[:start]


def test_make_tiny_takes_a_real_template_and_training_checks_the_prefix(tmp_path):
    import json

    from conftest import write_jsonl
    from test_jobfile import run_cli

    (tmp_path / "text.txt").write_text(fixture_text())
    template = os.path.join(TEMPLATES_DIR, "Qwen-Qwen3-0.6B.jinja")
    result = run_cli("make-tiny", "--out", "model", "--text", "text.txt", "--layers", "1", "--hidden", "32",
                     "--heads", "2", "--chat-template", template, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tmp_path / "model"))
    assert tokenizer.chat_template == open(template, encoding="utf-8").read()
    for token in ("<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>"):
        assert tokenizer.convert_tokens_to_ids(token) != tokenizer.unk_token_id
        assert len(tokenizer(token, add_special_tokens=False)["input_ids"]) == 1

    rows = [{"messages": [{"role": "user", "content": USER1},
                          {"role": "assistant", "content": "<think></think>" + ANSWER1}]}]
    write_jsonl(tmp_path / "train.jsonl", rows)
    job = {"base_model": "model", "train_file": "train.jsonl", "output_dir": "out", "device": "cpu",
           "assistant_prefix": "<think></think>", "hyperparameters": {"epochs": 1}}
    (tmp_path / "job.json").write_text(json.dumps(job))
    result = run_cli("train", "job.json", cwd=tmp_path)
    assert result.returncode == 1
    error = json.loads(result.stdout.splitlines()[-1])
    assert error["type"] == "ConfigError" and "set student.assistant_prefix to '<think>\\n\\n</think>\\n\\n'" in error["message"]
    assert not os.path.exists(tmp_path / "out" / "checkpoints")


def test_server_answers_400_naming_the_prefix_the_template_renders(text_file):
    from types import SimpleNamespace

    from distillery_worker.serve import ChatService, RequestError

    name = "Qwen-Qwen3-0.6B.jinja"
    service = ChatService(SimpleNamespace(tokenizer=tokenizer_for(name, text_file)), "student", [], 1)
    history = conversations(name)["single"][:-1]
    body = {"model": "student", "messages": [*history, {"role": "assistant", "content": "<think></think>"}],
            "continue_final_message": True, "add_generation_prompt": False}
    with pytest.raises(RequestError) as raised:
        service.prepare(body)
    assert raised.value.status == 400 and "'<think>\\n\\n</think>\\n\\n'" in str(raised.value)
    body["messages"][-1]["content"] = "<think>\n\n</think>\n\n"
    _, _, prompt_ids, _ = service.prepare(body)
    assert prompt_ids == encode_chat(service.backend.tokenizer, body["messages"], False, True)
