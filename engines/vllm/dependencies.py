"""Prints an installed distribution's requirements as a pip requirements file, with local version labels
(`torch==2.13.0+cpu`) dropped: PyPI serves only the plain build, which runs on CPU.

Usage: python dependencies.py DISTRIBUTION > requirements.txt
Requirements that belong to an extra are left out; environment markers are kept for pip to evaluate.
"""
import importlib.metadata
import re
import sys


def main() -> None:
    distribution = sys.argv[1]
    for requirement in importlib.metadata.requires(distribution) or []:
        if re.search(r"\bextra\s*==", requirement):
            continue
        print(re.sub(r"(==\s*[0-9][0-9A-Za-z.]*)\+[0-9A-Za-z.]+", r"\1", requirement))


if __name__ == "__main__":
    main()
