#!/bin/sh
# The image's install steps, in one place: the Dockerfile runs this script, and CI runs the
# same script in a clean virtual environment (tests/docker/test_docker_files.py).
#
#   usage: docker/install.sh VENV [SOURCE_DIR]
#
# Dependencies come only from the pinned lock (--no-deps everywhere); `pip check` then
# proves the lock is complete. The Dockerfile sets PIP_NO_CACHE_DIR; CI keeps pip's cache.
# The project is installed editable so that the code finds
# fhir_profiles/ beside it (the conformance resources are read from the source tree).
set -eu
venv="$1"
src="${2:-.}"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --no-deps -r "$src/docker/requirements.lock"
"$venv/bin/pip" install --quiet --no-deps -e "$src"
"$venv/bin/pip" check
"$venv/bin/python" -c "import adapter.cli, adapter.messaging.filedrop, adapter.http"
"$venv/bin/sstr-adapter" --version
