"""Answers chat requests greedily with llama.cpp (the llama_cpp bindings) from a GGUF file, using the chat
template and end-of-turn token stored in the GGUF itself: what a llama.cpp or Ollama user would get.

Usage: python answer.py MODEL.gguf REQUESTS.jsonl ANSWERS.jsonl [LORA.gguf]
With LORA.gguf (a LoRA-only export), llama.cpp applies the adapter to the base model on load.
Each request line: {"id", "messages", "max_tokens", "continue_final_message"?}; each answer line: {"id", "output"}.
"""
import json
import sys

from llama_cpp import Llama
from llama_cpp.llama_chat_format import Jinja2ChatFormatter


def main() -> None:
    model_path, requests_path, answers_path = sys.argv[1:4]
    lora_path = sys.argv[4] if len(sys.argv) > 4 else None
    llm = Llama(model_path=model_path, lora_path=lora_path, n_ctx=2048, n_threads=1, verbose=False, seed=0)
    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        raise SystemExit(f"{model_path} has no tokenizer.chat_template: a GGUF without it answers with the wrong prompt format")
    eos = llm._model.token_get_text(llm.token_eos())
    formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token="", stop_token_ids=[llm.token_eos()])
    with open(requests_path, encoding="utf-8") as source, open(answers_path, "w", encoding="utf-8") as sink:
        for line in source:
            request = json.loads(line)
            messages = request["messages"]
            if request.get("continue_final_message"):
                # The template renders the prefix as a finished assistant turn; open the turn instead and
                # continue after the prefix, as vLLM's continue_final_message does.
                prefix = messages[-1]["content"]
                prompt = formatter(messages=messages[:-1]).prompt + prefix
            else:
                prompt = formatter(messages=messages).prompt
            result = llm.create_completion(prompt, max_tokens=request["max_tokens"], temperature=0.0, top_k=1, stop=[eos])
            sink.write(json.dumps({"id": request["id"], "output": result["choices"][0]["text"]}) + "\n")


if __name__ == "__main__":
    main()
