"""`python -m distillery_worker.push_to_hub`: uploads an export folder to a Hugging Face Hub model repo.

huggingface_hub does the protocol (repo create, preupload, LFS batch and upload, NDJSON commit); this only
orders the calls. The token is HF_TOKEN and the Hub is HF_ENDPOINT (huggingface_hub reads both). Distillery
runs it with HF_HUB_DISABLE_XET=1, so large files go through the Hub's LFS upload, the path its tests check.
Prints one JSON line: the repo, the revision, the commit and the files sent.
"""
import argparse
import json
import os
import sys

from huggingface_hub import HfApi, constants


def push(folder: str, repo: str, private: bool, revision: str | None, message: str) -> dict:
    token = os.environ.get("HF_TOKEN")
    if not token:
        raise SystemExit("push-to-hub: HF_TOKEN is not set (a Hugging Face access token with write permission)")
    api = HfApi(token=token)
    repo_url = api.create_repo(repo, private=private, exist_ok=True, repo_type="model")
    branch = revision or constants.DEFAULT_REVISION
    if branch != constants.DEFAULT_REVISION:
        api.create_branch(repo, branch=branch, exist_ok=True, repo_type="model")
    # Hidden files (editor backups, a stale .merged folder) are not part of the export.
    commit = api.upload_folder(repo_id=repo, folder_path=folder, revision=branch, commit_message=message, ignore_patterns=[".*", "**/.*"], repo_type="model")
    files = sorted(
        os.path.relpath(os.path.join(root, name), folder)
        for root, dirs, names in os.walk(folder)
        for name in names
        if not any(part.startswith(".") for part in os.path.relpath(os.path.join(root, name), folder).split(os.sep))
    )
    return {"repo_url": str(repo_url), "revision": branch, "commit_url": commit.commit_url, "commit_oid": commit.oid, "files": files}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m distillery_worker.push_to_hub")
    parser.add_argument("--folder", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--private", action="store_true")
    parser.add_argument("--revision")
    parser.add_argument("--message", required=True)
    arguments = parser.parse_args(argv)
    result = push(arguments.folder, arguments.repo, arguments.private, arguments.revision, arguments.message)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
