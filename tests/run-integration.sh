#!/bin/sh
# Runs the integration tests (real server, real peers) with pytest.
set -eu
cd "$(dirname "$0")/integration"
exec "${PYTHON:-/usr/bin/python3}" -m pytest -q -p no:cacheprovider "$@" .
