/**
 * The one door to the IAM policy simulator the tests use
 * (@cloud-copilot/iam-simulate: identity, resource and boundary policies evaluated
 * together, as IAM does). It is AGPL-3.0 licensed and a devDependency: only tests
 * import it, never code that is deployed or bundled, so swapping it means changing
 * this file alone.
 */
import { createHash } from 'node:crypto';
import { processWide } from '../helpers/process-wide';
import { decisionStore, storedDecisions } from './decision-store';

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** A policy document as IAM takes it. */
export type PolicyDocument = { readonly Version?: string; readonly Statement: readonly unknown[] };

export interface AccessRequest {
  /** ARN of the calling principal (a role, user or account root). */
  readonly principal: string;
  readonly action: string;
  /** The resource's ARN, or `*` for an action that takes none. */
  readonly resource: string;
  /** Request context (condition keys), e.g. `iam:PermissionsBoundary`, `kms:ResourceAliases`. */
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** Policies attached to the principal. */
  readonly identityPolicies?: readonly PolicyDocument[];
  /** The principal's permissions boundary. */
  readonly boundary?: PolicyDocument;
  /** The resource's own policy (a key policy, a bucket policy). */
  readonly resourcePolicy?: PolicyDocument;
  /** Account that owns the resource. @default the account in the resource ARN, else the principal's */
  readonly resourceAccount?: string;
}

const pending = new Map<string, Promise<Decision>>();
const documentKeys = new WeakMap<object, string>();
/** What an `undefined` field is in a document's key: no JSON value of a policy has a key with a NUL in it. */
const UNDEFINED_IN_KEY = { '\u0000undefined': true };

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

/**
 * The simulator is a pure function of the request and the policies, and no test changes it: it is loaded once per
 * test process, and a decision it made once stands for the process (see `processWide`) and, kept on disk, for later
 * runs of the same simulator (see `storedDecisions`). Mutation testing reruns the IAM tests for every change to the
 * policies; this way it only simulates the requests whose policies changed, with the simulator's code already
 * compiled and optimized by earlier runs.
 */
const runSimulation = processWide('iam-simulate', () => loadSimulator().runSimulation);
// By the store's name: an edit to this file in a long-lived test process (jest --watch) opens a new store.
const store = decisionStore(__filename);
const decided = processWide(`iam-simulator.decisions.${store.name}`, () => storedDecisions<Decision>(store));
afterAll(() => decided.save());

function loadSimulator(): typeof import('@cloud-copilot/iam-simulate') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@cloud-copilot/iam-simulate');
}

/**
 * A short name for a policy document's content. The document is frozen, deeply, when it is first named, so that a
 * test that changed it later would throw rather than be answered for the content it had. A field whose value is
 * `undefined` (which the simulator rejects, and JSON leaves out) is named apart from a missing one.
 */
function documentKey(document: PolicyDocument | undefined): string | undefined {
  if (document === undefined) return undefined;
  let key = documentKeys.get(document);
  if (key === undefined) {
    const text = JSON.stringify(document, (_field, value) => (value === undefined ? UNDEFINED_IN_KEY : value));
    key = createHash('sha256').update(text).digest('base64');
    deepFreeze(document);
    documentKeys.set(document, key);
  }
  return key;
}

/** What IAM decides for one request. Throws when the simulator rejects the request or a policy as invalid. */
export function decide(request: AccessRequest): Promise<Decision> {
  const key = JSON.stringify([
    request.principal,
    request.action,
    request.resource,
    request.context,
    request.resourceAccount,
    (request.identityPolicies ?? []).map(documentKey),
    documentKey(request.boundary),
    documentKey(request.resourcePolicy),
  ]);
  const known = decided.get(key);
  if (known !== undefined) return Promise.resolve(known);
  let decision = pending.get(key);
  if (decision === undefined) {
    decision = simulate(request).then((result) => {
      decided.set(key, result);
      return result;
    });
    pending.set(key, decision);
  }
  return decision;
}

async function simulate(request: AccessRequest): Promise<Decision> {
  const accountId = request.resourceAccount ?? accountOf(request.resource) ?? accountOf(request.principal) ?? '';
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId },
        contextVariables: { ...principalContext(request.principal), ...(request.context ?? {}) },
      },
      identityPolicies: (request.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
      permissionBoundaryPolicies: request.boundary === undefined ? undefined : [{ name: 'boundary', policy: request.boundary }],
      resourcePolicy: request.resourcePolicy,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`the simulator rejected ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}

/**
 * What IAM puts in the context of every signed request about its caller: `aws:PrincipalArn`, which for a role is
 * the role's ARN, not the session's (IAM User Guide, AWS global condition context keys, aws:PrincipalArn,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
 * The simulator leaves it to the caller.
 */
function principalContext(principal: string): Record<string, string> {
  return /^arn:aws[a-z-]*:iam::\d{12}:(?:role|user)\//.test(principal) ? { 'aws:PrincipalArn': principal } : {};
}

/** The account field of an ARN, if it has one. */
export function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}
