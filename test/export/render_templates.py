"""For the Ollama template test, in one process: each tokenizer folder's template pieces for each assistant
prefix (or the error that refuses the template), and the Hugging Face rendering of each conversation with
that prefix. Reads {"dirs", "prefixes", "conversations"} on stdin."""
import json
import sys

from distillery_worker.export_template import pieces, reference
from distillery_worker.modeling import load_tokenizer


def main() -> None:
    spec = json.load(sys.stdin)
    results = {}
    for folder in spec["dirs"]:
        try:
            found = [pieces(folder, prefix) for prefix in spec["prefixes"]]
        except SystemExit as error:
            results[folder] = {"error": str(error)}
            continue
        tokenizer = load_tokenizer(folder)
        renders = [[reference(tokenizer, messages, prefix) for messages in spec["conversations"]] for prefix in spec["prefixes"]]
        results[folder] = {"pieces": found, "renders": renders}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
