#!/bin/bash
# Time the Action's install as a fresh hosted runner does it: a new environment, no pip cache,
# packages from PyPI only. Run from the repository root: benchmarks/action_install.sh old|new|warm
#   old   what action.yml did before issue 18: venv with pip, then `pip install .` (build isolation)
#   new   action/main.py prepare + install: the hash lock, then the project with --no-deps
#   warm  new, then the install step again with the environment in place (what a cache hit leaves)
set -euo pipefail
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PIP_CONFIG_FILE=/dev/null PIP_NO_CACHE_DIR=1 RUNNER_TEMP=$work GITHUB_OUTPUT=$work/out
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL
output() { grep -A1 "^$1<<" "$work/out" | tail -1; }
start=$(date +%s.%N)
case ${1:-} in
old)
  python3 -m venv "$work/venv"
  "$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$repo" ;;
new|warm)
  python3 "$repo/action/main.py" prepare >/dev/null
  TRUSTYCHECK_VENV=$(output venv) TRUSTYCHECK_KEY=$(output key) python3 "$repo/action/main.py" install ;;
*) echo "usage: $0 old|new|warm" >&2; exit 2 ;;
esac
end=$(date +%s.%N)
printf '%s: %.1f s' "$1" "$(echo "$end - $start" | bc)"
if [ "$1" = warm ]; then
  again=$(date +%s.%N)
  TRUSTYCHECK_VENV=$(output venv) TRUSTYCHECK_KEY=$(output key) python3 "$repo/action/main.py" install >/dev/null
  printf ', then with the environment in place: %.2f s (environment: %s)' \
    "$(echo "$(date +%s.%N) - $again" | bc)" "$(du -sh "$(output venv)" | cut -f1)"
fi
echo
