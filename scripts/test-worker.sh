#!/usr/bin/env bash
# The Python worker's tests alone (pytest), in the cached worker environment.
set -euo pipefail
cd "$(dirname "$0")/.."
python="$(node bin/distillery.js worker python)"
cd worker && PYTHONPATH=. exec "$python" -m pytest -q -p no:cacheprovider tests "$@"
