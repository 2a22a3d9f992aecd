#!/usr/bin/env bash
# Compile the FHIR Shorthand sources offline with SUSHI (--snapshot).
#
#   tools/build.sh          rebuild fsh-generated/resources/ (committed)
#   tools/build.sh --check  rebuild into a temporary folder and fail if the committed JSON differs
#
# SUSHI reads FHIR packages from $HOME/.fhir/packages. We point HOME at a project-local,
# git-ignored folder (.fhir-home) and fill it from the npm registry, where the HL7 core
# package hl7.fhir.r4b.core@4.3.0 is published (hl7.fhir.r4.core is not; see README.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
core_name="hl7.fhir.r4b.core"
core_version="4.3.0"
fhir_home="${SSTR_FHIR_HOME:-$here/.fhir-home}"
core_dir="$fhir_home/.fhir/packages/$core_name#$core_version"
sushi="$here/node_modules/.bin/sushi"

mode="build"
if [[ "${1:-}" == "--check" ]]; then mode="check"; fi

if [[ ! -x "$sushi" ]]; then
  echo "build.sh: $sushi not found; run 'npm ci --prefix fhir_profiles' (or 'make profiles-setup')" >&2
  exit 2
fi

prepare_cache() {
  if [[ -f "$core_dir/package/package.json" ]]; then return; fi
  local tmp
  tmp="$(mktemp -d)"
  echo "build.sh: fetching $core_name@$core_version into $fhir_home" >&2
  (cd "$tmp" && npm pack --silent "$core_name@$core_version" >/dev/null)
  mkdir -p "$core_dir"
  tar -xzf "$tmp"/*.tgz -C "$core_dir"
  rm -rf "$tmp"
}

run_sushi() {
  # $1: a project folder holding sushi-config.yaml and input/fsh
  local log
  log="$(mktemp)"
  if ! HOME="$fhir_home" "$sushi" build "$1" --snapshot >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "build.sh: SUSHI failed" >&2
    return 1
  fi
  # SUSHI exits 0 with errors counted in its summary: treat any error as failure.
  if grep -qE '^error ' "$log"; then
    grep -E '^(error|warn) ' "$log" >&2
    rm -f "$log"
    echo "build.sh: SUSHI reported errors" >&2
    return 1
  fi
  rm -f "$log"
}

prepare_cache

if [[ "$mode" == "build" ]]; then
  rm -rf "$here/fsh-generated"
  run_sushi "$here"
  echo "build.sh: compiled $(ls "$here/fsh-generated/resources" | wc -l) resources into fsh-generated/resources" >&2
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/sushi-config.yaml" "$work/"
mkdir -p "$work/input"
cp -r "$here/input/fsh" "$work/input/fsh"
run_sushi "$work"
if ! diff -r "$here/fsh-generated/resources" "$work/fsh-generated/resources" >"$work/diff.txt" 2>&1; then
  head -n 60 "$work/diff.txt" >&2
  echo "build.sh --check: fhir_profiles/fsh-generated/resources is stale: the FSH sources compile to different JSON." >&2
  echo "Run 'bash fhir_profiles/tools/build.sh' and commit fhir_profiles/fsh-generated." >&2
  exit 1
fi
echo "build.sh --check: fsh-generated/resources is up to date" >&2
