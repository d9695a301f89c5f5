"""For the Ollama template test, in one process: each tokenizer folder's template pieces (or the error that
refuses it) and the Hugging Face rendering of each conversation. Reads {"dirs", "conversations"} on stdin."""
import json
import sys

from distillery_worker.export_template import pieces
from distillery_worker.modeling import load_tokenizer


def main() -> None:
    spec = json.load(sys.stdin)
    results = {}
    for folder in spec["dirs"]:
        try:
            found = [pieces(folder, case["prefix"]) for case in spec["conversations"]]
        except SystemExit as error:
            results[folder] = {"error": str(error)}
            continue
        tokenizer = load_tokenizer(folder)
        renders = []
        for messages in (case["messages"] for case in spec["conversations"]):
            if messages[-1]["role"] == "assistant":
                renders.append(tokenizer.apply_chat_template(messages, tokenize=False, continue_final_message=True))
            else:
                renders.append(tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
        results[folder] = {"pieces": found, "renders": renders}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
