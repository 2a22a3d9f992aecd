#!/usr/bin/env bash
# Compile the FHIR Shorthand sources offline with SUSHI (--snapshot).
#
#   tools/build.sh          rebuild fsh-generated/resources/ (committed)
#   tools/build.sh --check  rebuild into a temporary folder and fail if the committed JSON differs
#
# SUSHI reads FHIR packages from $HOME/.fhir/packages. We point HOME at a project-local,
# git-ignored folder (.fhir-home) and fill it from node_modules: hl7.fhir.r4.core is not on
# the npm registry, but hl7.fhir.r4.examples@4.0.1 is (pinned with its integrity hash in
# package-lock.json, installed by `npm ci`) and carries the whole R4 4.0.1 definition set.
# Its StructureDefinitions, ValueSets, CodeSystems and SearchParameters are copied into the
# cache as hl7.fhir.r4.core#4.0.1 (package.json renamed, type fhir.core). The cache is
# rebuilt whenever the installed package differs from the one it was made from.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
core_name="hl7.fhir.r4.core"
core_version="4.0.1"
source_pkg="$here/node_modules/hl7.fhir.r4.examples"
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
  if [[ ! -f "$source_pkg/package.json" ]]; then
    echo "build.sh: $source_pkg not found; run 'npm ci --prefix fhir_profiles' (or 'make profiles-setup')" >&2
    exit 2
  fi
  local stamp
  stamp="$(node -e 'const l=require(process.argv[1]);process.stdout.write(l.packages["node_modules/hl7.fhir.r4.examples"].integrity)' "$here/package-lock.json")"
  if [[ -f "$core_dir/package/.source-integrity" && "$(cat "$core_dir/package/.source-integrity")" == "$stamp" ]]; then return; fi
  echo "build.sh: making $core_name#$core_version from hl7.fhir.r4.examples@4.0.1 in $fhir_home" >&2
  rm -rf "$core_dir"
  mkdir -p "$core_dir/package"
  find "$source_pkg" -maxdepth 1 -type f \( -name 'StructureDefinition-*.json' -o -name 'ValueSet-*.json' \
    -o -name 'CodeSystem-*.json' -o -name 'SearchParameter-*.json' \) -exec cp -t "$core_dir/package" {} +
  node -e '
    const fs = require("fs");
    const p = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    p.name = "hl7.fhir.r4.core"; p.type = "fhir.core";
    p.description = "R4 4.0.1 definitions taken from hl7.fhir.r4.examples@4.0.1";
    fs.writeFileSync(process.argv[2], JSON.stringify(p, null, 2));
  ' "$source_pkg/package.json" "$core_dir/package/package.json"
  printf '%s' "$stamp" >"$core_dir/package/.source-integrity"
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
