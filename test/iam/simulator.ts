/**
 * The one door to the IAM policy simulator the tests use
 * (@cloud-copilot/iam-simulate: identity, resource and boundary policies evaluated
 * together, as IAM does). It is AGPL-3.0 licensed and a devDependency: only tests
 * import it, never code that is deployed or bundled, so swapping it means changing
 * this file alone.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';

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

const cache = new Map<string, Promise<Decision>>();
const documentIds = new WeakMap<object, number>();
let lastDocumentId = 0;

/** A short, stable name for a policy document object, so that cache keys stay small. */
function documentId(document: PolicyDocument | undefined): number | undefined {
  if (document === undefined) return undefined;
  let id = documentIds.get(document);
  if (id === undefined) {
    id = ++lastDocumentId;
    documentIds.set(document, id);
  }
  return id;
}

/** What IAM decides for one request. Throws when the simulator rejects the request or a policy as invalid. */
export function decide(request: AccessRequest): Promise<Decision> {
  const key = JSON.stringify([
    request.principal,
    request.action,
    request.resource,
    request.context,
    request.resourceAccount,
    (request.identityPolicies ?? []).map(documentId),
    documentId(request.boundary),
    documentId(request.resourcePolicy),
  ]);
  let decision = cache.get(key);
  if (decision === undefined) {
    decision = simulate(request);
    cache.set(key, decision);
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
        contextVariables: { ...(request.context ?? {}) },
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

/** The account field of an ARN, if it has one. */
export function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}
