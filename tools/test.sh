#!/usr/bin/env bash
# The test command: installs what is missing (tools/bootstrap.sh), then runs the whole suite.
# Extra arguments go to pytest (e.g. tools/test.sh -m 'not interop' -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
