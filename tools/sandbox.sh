#!/usr/bin/env bash
# The main job: installs what is missing, then starts the pyovn sandbox in the foreground
# (Ctrl-C stops it). Extra arguments go to 'pyovn sandbox' (e.g. --dir DIR, --detach).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh
exec .venv/bin/pyovn sandbox "$@"
