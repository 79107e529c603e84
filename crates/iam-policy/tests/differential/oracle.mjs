// The oracle of the iam-policy differential test (crates/iam-policy/tests/it/differential.rs).
//
// Reads JSON Lines on stdin, one request per line:
//   {"id", "identity": [policy, ...], "resource_policy": policy | null, "principal": ARN,
//    "action", "resource": ARN, "resource_account": "123456789012",
//    "context": {key: string | [string, ...]}}
// and writes one JSON line per input, in input order:
//   {"id", "decision": "allow" | "explicit_deny" | "implicit_deny", "ignored_context_keys": [...]}
// or {"id", "error": "..."} when iam-simulate refuses the input.
//
// iam-simulate (@cloud-copilot/iam-simulate, AGPL-3.0) is installed by `npm ci` (scripts/test) and
// only called through its public API here, as a black box; none of its code is in this repository.
// `runSimulation` validates the policies, the action, the resource type and the context keys, and
// drops context keys that do not apply to the request: they are reported in `ignored_context_keys`
// so the test can tell a vector that does not mean what it says.
import { createInterface } from 'node:readline';
import { runSimulation } from '@cloud-copilot/iam-simulate';

const DECISIONS = {
  Allowed: 'allow',
  ExplicitlyDenied: 'explicit_deny',
  ImplicitlyDenied: 'implicit_deny',
};

async function decide(input) {
  const simulation = {
    request: {
      principal: input.principal,
      action: input.action,
      resource: { resource: input.resource, accountId: input.resource_account },
      contextVariables: input.context ?? {},
    },
    identityPolicies: (input.identity ?? []).map((policy, i) => ({ name: `P${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(input.resource_policy ? { resourcePolicy: input.resource_policy } : {}),
  };
  const response = await runSimulation(simulation, { simulationMode: 'Strict' });
  if (response.resultType === 'error') {
    return { id: input.id, error: JSON.stringify(response.errors) };
  }
  if (response.resultType !== 'single') {
    return { id: input.id, error: `unexpected result type ${response.resultType}` };
  }
  const decision = DECISIONS[response.overallResult];
  if (!decision) {
    return { id: input.id, error: `unexpected overall result ${response.overallResult}` };
  }
  return {
    id: input.id,
    decision,
    ignored_context_keys: response.result.ignoredContextKeys ?? [],
  };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
for await (const line of lines) {
  if (line.trim() === '') continue;
  let id = null;
  try {
    const input = JSON.parse(line);
    id = input.id ?? null;
    out.push(JSON.stringify(await decide(input)));
  } catch (e) {
    out.push(JSON.stringify({ id, error: String(e?.stack ?? e) }));
  }
  if (out.length >= 256) {
    process.stdout.write(out.join('\n') + '\n');
    out.length = 0;
  }
}
if (out.length) process.stdout.write(out.join('\n') + '\n');
