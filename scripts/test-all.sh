#!/usr/bin/env bash
# Every test: TypeScript (vitest, typecheck) and the Python worker's (pytest), in one command: `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json --noEmit
npx vitest run
python="$(node bin/distillery.js worker python)"
echo "== worker tests with ${python}"
(cd worker && PYTHONPATH=. "$python" -m pytest -q -p no:cacheprovider tests)
