"""Runs llama.cpp's convert_hf_to_gguf.py (vendored in the llama-cpp-python sdist) with one deliberate
addition: a tokenizer whose pre-tokenizer llama.cpp does not know by its hash, but that is exactly GPT-2's
(a byte-level BPE whose only pre-tokenizer is `ByteLevel` with GPT-2's split regex, as Distillery's tiny
test models have), is written as `tokenizer.ggml.pre = "gpt-2"`. Any other unknown tokenizer still fails
with the converter's own "BPE pre-tokenizer was not recognized" error.

Usage: python convert.py LLAMA_CPP_DIR convert_hf_to_gguf.py-arguments...
"""
import json
import os
import sys


def gpt2_pre_tokenizer(model_dir: str) -> bool:
    path = os.path.join(model_dir, "tokenizer.json")
    if not os.path.isfile(path):
        return False
    with open(path, encoding="utf-8") as handle:
        pre = json.load(handle).get("pre_tokenizer") or {}
    return pre.get("type") == "ByteLevel" and pre.get("use_regex", True) is True


def main() -> None:
    llama_cpp_dir = sys.argv[1]
    sys.path[:0] = [llama_cpp_dir, os.path.join(llama_cpp_dir, "gguf-py")]
    from conversion import base  # noqa: PLC0415 - only importable once the vendored folder is on the path

    original = base.TextModel.get_vocab_base_pre

    def get_vocab_base_pre(self, tokenizer) -> str:
        try:
            return original(self, tokenizer)
        except NotImplementedError:
            if gpt2_pre_tokenizer(str(self.dir_model)):
                print("distillery: unknown BPE pre-tokenizer hash; the tokenizer is GPT-2's byte-level split, written as 'gpt-2'", file=sys.stderr)
                return "gpt-2"
            raise

    base.TextModel.get_vocab_base_pre = get_vocab_base_pre
    sys.argv = [os.path.join(llama_cpp_dir, "convert_hf_to_gguf.py"), *sys.argv[2:]]
    import convert_hf_to_gguf  # noqa: PLC0415

    convert_hf_to_gguf.main()


if __name__ == "__main__":
    main()
