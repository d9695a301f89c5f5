"""The export helpers: `export_merged` (one standalone model folder in the base's dtype, safetensors only, with
tokenizer and chat template; the merged weights are the base plus the LoRA delta) and `export_template` (the
template pieces the Ollama Modelfile is built from, and the templates it refuses)."""

import json
import os
import shutil

import pytest
import torch
from safetensors import safe_open

from distillery_worker.events import ModelLoadError
from distillery_worker.export_merged import export_merged
from distillery_worker.export_template import pieces

RANK, ALPHA = 4, 8
TARGETS = ["q_proj", "v_proj", "down_proj"]


def tensors(folder: str) -> dict[str, torch.Tensor]:
    found = {}
    for name in os.listdir(folder):
        if name.endswith(".safetensors"):
            with safe_open(os.path.join(folder, name), framework="pt") as handle:
                found.update({key: handle.get_tensor(key) for key in handle.keys()})
    return found


def random_adapter(base: str, out: str, dtype=torch.float32) -> str:
    """A LoRA adapter with random non-zero A and B (a fresh one has B = 0 and changes nothing)."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=dtype)
    model = get_peft_model(model, LoraConfig(r=RANK, lora_alpha=ALPHA, target_modules=TARGETS, lora_dropout=0.0, task_type="CAUSAL_LM"))
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_" in name:
                parameter.normal_(0.0, 0.2)
    model.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def adapter(tiny_model, tmp_path_factory) -> str:
    return random_adapter(tiny_model, str(tmp_path_factory.mktemp("adapter") / "adapter"))


def test_merged_weights_are_base_plus_lora_delta(tiny_model, adapter, tmp_path):
    result = export_merged(tiny_model, adapter, str(tmp_path / "merged"))
    assert result["dtype"] == "float32"
    base, merged, lora = tensors(tiny_model), tensors(str(tmp_path / "merged")), tensors(adapter)
    assert set(merged) == set(base)
    changed = 0
    for key, weight in base.items():
        module = key.removesuffix(".weight")
        a_key = f"base_model.model.{module}.lora_A.weight"
        if a_key in lora:
            delta = (ALPHA / RANK) * lora[f"base_model.model.{module}.lora_B.weight"] @ lora[a_key]
            torch.testing.assert_close(merged[key], weight + delta, rtol=0, atol=1e-5)
            assert delta.abs().max() > 1e-2  # the adapter really changes this weight
            changed += 1
        else:
            assert torch.equal(merged[key], weight), key
    assert changed == 2 * len(TARGETS)  # two layers


def test_safetensors_only_with_tokenizer_and_chat_template(tiny_model, adapter, tmp_path):
    out = str(tmp_path / "merged")
    result = export_merged(tiny_model, adapter, out)
    files = sorted(os.listdir(out))
    assert result["files"] == files
    assert [name for name in files if name.endswith((".bin", ".pt", ".pth"))] == []
    assert "model.safetensors" in files and "tokenizer.json" in files and "config.json" in files
    from distillery_worker.modeling import load_tokenizer

    tokenizer = load_tokenizer(out)
    assert "<|im_start|>" in tokenizer.chat_template
    assert result["eos_token"] == tokenizer.eos_token == "<|im_end|>"


def test_a_bf16_base_stays_bf16(tiny_model, tmp_path):
    from transformers import AutoModelForCausalLM

    from distillery_worker.modeling import load_tokenizer

    base = str(tmp_path / "bf16-base")
    AutoModelForCausalLM.from_pretrained(tiny_model, dtype=torch.bfloat16).save_pretrained(base)
    load_tokenizer(tiny_model).save_pretrained(base)
    adapter = random_adapter(base, str(tmp_path / "adapter"), torch.bfloat16)
    out = str(tmp_path / "merged")
    assert export_merged(base, adapter, out)["dtype"] == "bfloat16"
    assert {tensor.dtype for tensor in tensors(out).values()} == {torch.bfloat16}
    with open(os.path.join(out, "config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    assert (config.get("dtype") or config.get("torch_dtype")) == "bfloat16"


def test_lora_only_base_takes_the_adapters_tokenizer(tiny_model, tmp_path):
    """`--tokenizer-from`: the base's weights unchanged, with the chat template the adapter was trained with."""
    trained = str(tmp_path / "trained-adapter")
    os.makedirs(trained)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(tiny_model, name), trained)
    with open(os.path.join(trained, "chat_template.jinja"), "w", encoding="utf-8") as handle:
        handle.write("{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}<|im_end|>{% endfor %}{% if add_generation_prompt %}[assistant] {% endif %}")
    out = str(tmp_path / "base")
    export_merged(tiny_model, None, out, tokenizer_from=trained)
    with open(os.path.join(out, "chat_template.jinja"), encoding="utf-8") as handle:
        assert handle.read().startswith("{% for m in messages %}[")
    base, written = tensors(tiny_model), tensors(out)
    assert all(torch.equal(written[key], weight) for key, weight in base.items())


def test_refuses_a_tokenizer_without_chat_template(tiny_model, adapter, tmp_path):
    stripped = str(tmp_path / "adapter")
    shutil.copytree(adapter, stripped)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(tiny_model, name), stripped)
    with open(os.path.join(stripped, "tokenizer_config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    config.pop("chat_template", None)
    with open(os.path.join(stripped, "tokenizer_config.json"), "w", encoding="utf-8") as handle:
        json.dump(config, handle)
    # The merge's tokenizer loader refuses it first (ModelLoadError, a typed worker error); either way by name.
    with pytest.raises((SystemExit, ModelLoadError), match="has no chat template"):
        export_merged(tiny_model, stripped, str(tmp_path / "merged"))


def with_template(tiny_model: str, folder, template: str) -> str:
    folder = str(folder)
    os.makedirs(folder)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(tiny_model, name), folder)
    with open(os.path.join(folder, "chat_template.jinja"), "w", encoding="utf-8") as handle:
        handle.write(template)
    return folder


def test_template_pieces_of_chatml(tiny_model):
    found = pieces(tiny_model, "<think>\n\n</think>\n\n")
    assert found == {
        "head": "<|im_start|>system\n", "middle": "<|im_end|>\n<|im_start|>user\n", "head_without_system": "<|im_start|>user\n",
        "after_user": "<|im_end|>\n<|im_start|>assistant\n", "after_assistant": "<|im_end|>\n",
        "between_turns": "<|im_end|>\n<|im_start|>user\n", "eos_token": "<|im_end|>", "assistant_prefix": "<think>\n\n</think>\n\n",
    }


def test_refuses_a_template_that_moves_the_system_prompt_into_the_last_user_turn(tiny_model, tmp_path):
    # As Mistral's templates do: one Ollama template cannot place the system prompt by the position of a turn.
    template = ("{% set system = messages[0]['content'] if messages[0]['role'] == 'system' else '' %}"
                "{% set turns = messages[1:] if system else messages %}{% for m in turns %}"
                "{% if m['role'] == 'user' %}[INST] {% if loop.last and system %}{{ system }}\n\n{% endif %}{{ m['content'] }}[/INST]"
                "{% else %}{{ m['content'] }}<|im_end|>{% endif %}{% endfor %}")
    with pytest.raises(SystemExit, match="cannot translate it to an Ollama template"):
        pieces(with_template(tiny_model, tmp_path / "moved", template))


def test_refuses_a_template_that_raises_on_a_system_prompt(tiny_model, tmp_path):
    template = "{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{{ m['content'] }}{% endfor %}"
    with pytest.raises(SystemExit, match="cannot render a system \\+ user \\+ assistant conversation: System role not supported"):
        pieces(with_template(tiny_model, tmp_path / "raising", template))
