#!/usr/bin/env bash
# Every test: TypeScript (vitest, typecheck) and the Python worker's (pytest), in one command: `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json --noEmit
# The worker's environment first (created once in ~/.cache/distillery, then reused): the real-worker and
# offline-loop tests find it there and run on a fresh clone too instead of skipping.
python="$(node bin/distillery.js worker python)"
npx vitest run
echo "== worker tests with ${python}"
(cd worker && PYTHONPATH=. "$python" -m pytest -q -p no:cacheprovider tests)
