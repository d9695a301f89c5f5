import json
import os

from conftest import fixture_text, memorize_rows, write_jsonl
from test_jobfile import run_cli


def test_make_tiny_then_tokens_and_merge_errors(tmp_path):
    (tmp_path / "text.txt").write_text(fixture_text())
    result = run_cli("make-tiny", "--out", "model", "--text", "text.txt", "--layers", "1", "--hidden", "32",
                     "--heads", "2", "--vocab", "400", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {"event": "done", "model_dir": str(tmp_path / "model")}
    config = json.load(open(tmp_path / "model" / "config.json"))
    assert config["architectures"] == ["LlamaForCausalLM"] and config["hidden_size"] == 32
    assert os.path.isfile(tmp_path / "model" / "model.safetensors")

    write_jsonl(tmp_path / "rows.jsonl", memorize_rows(range(3)))
    result = run_cli("tokens", "--tokenizer", "model", "rows.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    statistics = json.loads(result.stdout)
    assert statistics["count"] == 3
    assert 0 < statistics["assistant_tokens"]["total"] < statistics["tokens"]["total"]

    result = run_cli("merge", "--base", "model", "--adapter", "missing", "--out", "merged", cwd=tmp_path)
    assert result.returncode == 1
    assert json.loads(result.stdout.splitlines()[-1])["type"] == "ModelLoadError"
