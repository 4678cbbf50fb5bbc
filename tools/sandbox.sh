#!/usr/bin/env bash
# The main job: installs what is missing, then starts the pyovn sandbox — NB, SB and local
# OVSDB servers, northd and the controller, under one directory — in the foreground (Ctrl-C
# stops it). Extra arguments go to 'pyovn sandbox' (e.g. --dir DIR, --detach, --demo).
# Without root it runs in user + network + mount namespaces of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh
exec .venv/bin/pyovn sandbox "$@"
