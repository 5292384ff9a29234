#!/usr/bin/env bash
# The baseline registry-pruner is measured against: a careful shell script
# around crane (go-containerregistry's CLI) doing the same job safely —
# keep the newest KEEP numeric tags per repository, never delete a digest
# that a kept or non-version tag references. One crane process per
# request: each pays its own /v2/ handshake.
#   bash bench/crane-prune.sh REGISTRY KEEP
set -euo pipefail
reg=$1 keep=$2
crane=${CRANE:-crane}
deleted=0
for repo in $("$crane" catalog --insecure "$reg"); do
  tags=$("$crane" ls --insecure "$reg/$repo")
  declare -A digest=()
  for t in $tags; do digest[$t]=$("$crane" digest --insecure "$reg/$repo:$t"); done
  versions=$(printf '%s\n' $tags | grep -E '^[1-9][0-9]*$' | sort -rn || true)
  declare -A held=()
  n=0
  for t in $versions; do
    n=$((n + 1))
    [ $n -le "$keep" ] && held[${digest[$t]}]=1
  done
  for t in $tags; do # environment and other tags hold their digest
    printf '%s\n' "$t" | grep -qE '^[1-9][0-9]*$' || held[${digest[$t]}]=1
  done
  declare -A gone=()
  n=0
  for t in $versions; do
    n=$((n + 1))
    [ $n -le "$keep" ] && continue
    d=${digest[$t]}
    [ -n "${held[$d]:-}" ] || [ -n "${gone[$d]:-}" ] && continue
    "$crane" delete --insecure "$reg/$repo@$d"
    gone[$d]=1
    deleted=$((deleted + 1))
  done
  unset digest held gone
done
echo "crane script: deleted $deleted manifests" >&2
