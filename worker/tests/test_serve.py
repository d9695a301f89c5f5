import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import torch

from conftest import SYSTEM_PROMPT, WORKER_DIR

ADAPTER_NAME = "memo"
QUESTION = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "what is number 2?"}]


@pytest.fixture(scope="module")
def server(tiny_model, trained_lora):
    environment = {**os.environ, "PYTHONPATH": WORKER_DIR}
    process = subprocess.Popen(
        [sys.executable, "-m", "distillery_worker", "serve", "--model", tiny_model, "--served-name", "tiny",
         "--adapter", f"{ADAPTER_NAME}={trained_lora['summary']['adapter_dir']}", "--device", "cpu", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment,
    )
    ready = json.loads(process.stdout.readline())
    assert ready["event"] == "ready" and ready["port"] > 0
    yield {"url": f"http://{ready['host']}:{ready['port']}", "ready": ready}
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0  # clean shutdown on SIGTERM


def request(server, path, body=None, raw: bytes | None = None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    call = urllib.request.Request(server["url"] + path, data=data, method="POST" if data is not None else "GET",
                                  headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(call, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def chat(server, **body):
    status, text = request(server, "/v1/chat/completions", {"model": "tiny", "messages": QUESTION, **body})
    assert status == 200, text
    return json.loads(text)


def stream_chunks(server, **body) -> list:
    status, text = request(server, "/v1/chat/completions",
                           {"model": "tiny", "messages": QUESTION, "stream": True, **body})
    assert status == 200, text
    events = [block for block in text.split("\n\n") if block]
    assert all(block.startswith("data: ") for block in events)
    assert events[-1] == "data: [DONE]"
    return [json.loads(block[len("data: "):]) for block in events[:-1]]


def greedy_reference(model_dir, adapter_dir, prompt_ids, max_new_tokens, tokenizer) -> str:
    """What greedy decoding gives in-process with transformers' own generate()."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_dir, use_safetensors=True, dtype=torch.float32)
    if adapter_dir:
        model = PeftModel.from_pretrained(model, adapter_dir)
    output = model.eval().generate(torch.tensor([prompt_ids]), do_sample=False, max_new_tokens=max_new_tokens,
                                   eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    return tokenizer.decode(output[0, len(prompt_ids):], skip_special_tokens=True)


def test_models_lists_base_and_adapters(server):
    status, text = request(server, "/v1/models")
    assert status == 200
    body = json.loads(text)
    assert body["object"] == "list"
    assert [item["id"] for item in body["data"]] == ["tiny", ADAPTER_NAME] == server["ready"]["models"]


def test_non_streaming_completion_matches_greedy_generate(server, tiny_model, tiny_tokenizer):
    body = chat(server, max_tokens=12, temperature=0)
    choice = body["choices"][0]
    assert body["object"] == "chat.completion" and body["model"] == "tiny"
    assert choice["message"]["role"] == "assistant"
    prompt_ids = tiny_tokenizer.apply_chat_template(QUESTION, add_generation_prompt=True)["input_ids"]
    assert choice["message"]["content"] == greedy_reference(tiny_model, None, prompt_ids, 12, tiny_tokenizer)
    usage = body["usage"]
    assert usage["prompt_tokens"] == len(prompt_ids)
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert choice["finish_reason"] in ("stop", "length")
    if choice["finish_reason"] == "length":
        assert usage["completion_tokens"] == 12


def test_max_tokens_gives_finish_reason_length(server):
    body = chat(server, max_tokens=2, temperature=0, model=ADAPTER_NAME)
    # The adapter answers with more than two tokens ("color animal" + end of turn).
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 2


def test_streaming_matches_non_streaming(server):
    expected = chat(server, max_tokens=12, temperature=0, model=ADAPTER_NAME)
    chunks = stream_chunks(server, max_tokens=12, temperature=0, model=ADAPTER_NAME)
    assert chunks[0]["object"] == "chat.completion.chunk"
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    content = "".join(chunk["choices"][0]["delta"].get("content", "") for chunk in chunks)
    assert content == expected["choices"][0]["message"]["content"]
    assert chunks[-1]["choices"][0]["finish_reason"] == expected["choices"][0]["finish_reason"]
    assert chunks[-1]["usage"] == expected["usage"]
    assert all(chunk["choices"][0]["finish_reason"] is None for chunk in chunks[:-1])


def test_adapter_selection_by_model_name(server, tiny_model, trained_lora, tiny_tokenizer):
    prompt_ids = tiny_tokenizer.apply_chat_template(QUESTION, add_generation_prompt=True)["input_ids"]
    adapter_dir = trained_lora["summary"]["adapter_dir"]
    expected_adapter = greedy_reference(tiny_model, adapter_dir, prompt_ids, 8, tiny_tokenizer)
    expected_base = greedy_reference(tiny_model, None, prompt_ids, 8, tiny_tokenizer)
    assert expected_adapter != expected_base
    assert chat(server, max_tokens=8, temperature=0, model=ADAPTER_NAME)["choices"][0]["message"]["content"] \
        == expected_adapter
    # The base stays reachable after the adapter was used (the adapter is switched off, not left active).
    assert chat(server, max_tokens=8, temperature=0)["choices"][0]["message"]["content"] == expected_base


def test_continue_final_message_continues_the_assistant_prefix(server, tiny_model, trained_lora, tiny_tokenizer):
    messages = [*QUESTION, {"role": "assistant", "content": "<think></think>"}]
    body = chat(server, messages=messages, model=ADAPTER_NAME, max_tokens=6, temperature=0,
                continue_final_message=True, add_generation_prompt=False)
    prompt_ids = tiny_tokenizer.apply_chat_template(messages, continue_final_message=True)["input_ids"]
    assert tiny_tokenizer.decode(prompt_ids).endswith("<|im_start|>assistant\n<think></think>")
    assert body["usage"]["prompt_tokens"] == len(prompt_ids)
    expected = greedy_reference(tiny_model, trained_lora["summary"]["adapter_dir"], prompt_ids, 6, tiny_tokenizer)
    assert body["choices"][0]["message"]["content"] == expected


def test_stop_strings_cut_the_output(server):
    full = chat(server, max_tokens=12, temperature=0, model=ADAPTER_NAME)["choices"][0]["message"]["content"]
    assert len(full) > 3
    stop = full[2:4]
    body = chat(server, max_tokens=12, temperature=0, model=ADAPTER_NAME, stop=[stop])
    assert body["choices"][0]["message"]["content"] == full[: full.index(stop)]
    assert body["choices"][0]["finish_reason"] == "stop"
    chunks = stream_chunks(server, max_tokens=12, temperature=0, model=ADAPTER_NAME, stop=stop)
    assert "".join(chunk["choices"][0]["delta"].get("content", "") for chunk in chunks) == full[: full.index(stop)]


def test_seed_makes_sampling_repeatable(server):
    first = chat(server, max_tokens=10, temperature=1.0, top_p=0.9, seed=7)["choices"][0]["message"]["content"]
    second = chat(server, max_tokens=10, temperature=1.0, top_p=0.9, seed=7)["choices"][0]["message"]["content"]
    assert first == second


def test_unknown_model_is_404_with_openai_error(server):
    status, text = request(server, "/v1/chat/completions", {"model": "nope", "messages": QUESTION})
    assert status == 404
    error = json.loads(text)["error"]
    assert "nope" in error["message"] and error["type"] == "invalid_request_error"
    assert error["code"] == "model_not_found"


@pytest.mark.parametrize("raw, fragment", [
    (b"{not json", "not valid JSON"),
    (json.dumps({"model": "tiny", "messages": []}).encode(), "messages"),
    (json.dumps({"model": "tiny", "messages": QUESTION, "max_tokens": 0}).encode(), "max_tokens"),
    (json.dumps({"model": "tiny", "messages": QUESTION, "continue_final_message": True}).encode(),
     "final assistant message"),
])
def test_bad_requests_are_400(server, raw, fragment):
    status, text = request(server, "/v1/chat/completions", raw=raw)
    assert status == 400
    assert fragment in json.loads(text)["error"]["message"]
