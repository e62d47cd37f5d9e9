#!/usr/bin/env bash
# Re-freezes requirements/*.txt from the direct, pinned dependencies in requirements/*.in.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet -r requirements/base.in
{ echo "# Frozen from base.in by 'make lock'. Do not edit by hand."; "$work/venv/bin/pip" freeze; } > requirements/base.txt
"$work/venv/bin/pip" install --quiet -r requirements/dev.in
{ echo "# Frozen from dev.in by 'make lock'. Do not edit by hand."; echo "-r base.txt";
  comm -13 <(grep -v '^#' requirements/base.txt | sort) <("$work/venv/bin/pip" freeze | sort); } > requirements/dev.txt
echo "requirements/base.txt and requirements/dev.txt updated"
