#!/usr/bin/env bash
# The test command: install everything the tests need, then run the linter and the tests.
#
#   bash tests/run.sh [pytest arguments]
#
# 1. Debian's chromium and chromium-driver, when missing (the report's browser
#    test drives a real headless Chromium); needs root or sudo, and apt-get.
# 2. A virtual environment in .venv with dedup and its test extra.
# 3. ruff over the package, the tests and the benchmarks; then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "tests/run.sh: installing Debian's chromium and chromium-driver for the browser test" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "tests/run.sh: no apt-get here; install Chromium and chromedriver by hand for the browser test" >&2
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/ruff check dedup tests bench
.venv/bin/python -m pytest "$@"
