/**
 * The replacement guard: compares the key stacks' freshly synthesized
 * templates with a reviewed baseline and reports every change that would
 * replace, remove or stop retaining a key, a replica key, an alias or the
 * parameter that publishes the key ARN.
 *
 * A replaced KMS key is a new key: ciphertext made under the old one cannot be
 * decrypted with the new one. `@aws-cdk/cloudformation-diff` (what `cdk diff`
 * uses) tells which property changes CloudFormation applies by replacement;
 * this module adds what that diff cannot see (see IMMUTABLE_PROPERTIES and
 * VALUE_NEUTRAL_INPUTS) and words each finding so a person can act on it.
 */
import { fullDiff, ResourceDifference, ResourceImpact } from '@aws-cdk/cloudformation-diff';

/** The stateful resources the guard protects. */
export const GUARDED_RESOURCE_TYPES: readonly string[] = [
  'AWS::KMS::Key',
  'AWS::KMS::ReplicaKey',
  'AWS::KMS::Alias',
  'AWS::SSM::Parameter',
];

/** The command that accepts a reviewed replacement by rewriting the baseline. */
export const BASELINE_UPDATE_COMMAND = 'npm run baseline:update';

const WHAT_TO_DO =
  'Restore the construct id or property, or, if the replacement is intended and you have re-encrypted or accepted losing the data, ' +
  `run \`${BASELINE_UPDATE_COMMAND}\` and commit the reviewed baseline diff.`;

/**
 * Properties that KMS never changes on an existing key. The CloudFormation
 * resource specification lists them as updatable, so the diff calls a change
 * an update; CloudFormation then fails the update, whatever the
 * UpdateReplacePolicy, and the new value can only come with a new key.
 */
const IMMUTABLE_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::KMS::Key': ['KeySpec', 'KeyUsage', 'MultiRegion', 'Origin'],
};

/**
 * Properties whose change replaces the resource, per resource type. When such a
 * property takes its value from another resource of the stack at deploy time
 * (a replica's `PrimaryKeyArn` from the cross-Region parameter reader), a change
 * to that resource's inputs can change the value without any change in the
 * guarded resource's own template text.
 */
const REPLACING_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::KMS::Key': IMMUTABLE_PROPERTIES['AWS::KMS::Key'],
  'AWS::KMS::ReplicaKey': ['PrimaryKeyArn'],
  'AWS::KMS::Alias': ['AliasName'],
  'AWS::SSM::Parameter': ['Name'],
};

/**
 * Properties of a custom resource that cannot change the value it returns:
 * the ones CloudFormation itself reads (which handler, how long to wait) and,
 * per type, the known ones that only make the handler run again, such as the
 * reader's refresh token (the source commit). Every other property counts as
 * an input of the value; a new one is reported until the baseline is updated.
 */
const VALUE_NEUTRAL_INPUTS: Readonly<Record<string, readonly string[]>> = {
  '*': ['ServiceToken', 'ServiceTimeout'],
  'Custom::CrossRegionParameterReader': ['SourceVersion'],
};

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly [attribute: string]: unknown;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly [section: string]: unknown;
}

/** A stack as CloudFormation knows it: account, Region and name make it one stack; the template is its content. */
export interface StackTemplate {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: CfnTemplate;
}

export type FindingImpact = 'WILL_REPLACE' | 'MAY_REPLACE' | 'WILL_DESTROY' | 'WILL_ORPHAN' | 'STOPS_RETAINING';

/** One change that could lose a key, a replica, an alias or the key ARN parameter. */
export interface ReplacementFinding {
  /** `stackName (account/region)`. */
  readonly stack: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly impact: FindingImpact;
  /** The property (or resource attribute) whose change causes it, when there is one. */
  readonly property?: string;
  /** One line: what happens, why, and what to do. */
  readonly message: string;
}

/** Records a finding; `what` says what happens and why, without the stack, the resource or the advice. */
type Report = (logicalId: string, resourceType: string, impact: FindingImpact, what: string, property?: string) => void;

/** `stackName (account/region)`, how findings and the update script name a stack. */
export function stackLabel(stack: Pick<StackTemplate, 'stackName' | 'account' | 'region'>): string {
  return `${stack.stackName} (${stack.account}/${stack.region})`;
}

function stackKey(stack: StackTemplate): string {
  return `${stack.account}/${stack.region}/${stack.stackName}`;
}

/**
 * Removes what `cdk synth` (the CLI) adds and an in-process synth does not:
 * construct-path and asset metadata on resources, and the version-reporting
 * `CDKMetadata` resource with its condition. They describe the construct tree,
 * never the deployed resource, and the CloudFormation diff would otherwise
 * show them as changes when a baseline and a template come from different synths.
 * Returns a copy; the input is not changed.
 */
export function normalizeTemplate(template: CfnTemplate): CfnTemplate {
  const copy = JSON.parse(JSON.stringify(template)) as Record<string, any>;
  for (const [logicalId, resource] of Object.entries<any>(copy.Resources ?? {})) {
    if (resource.Type === 'AWS::CDK::Metadata') {
      delete copy.Resources[logicalId];
      continue;
    }
    if (resource.Metadata) {
      for (const key of Object.keys(resource.Metadata)) {
        if (key.startsWith('aws:cdk:') || key.startsWith('aws:asset:')) delete resource.Metadata[key];
      }
      if (Object.keys(resource.Metadata).length === 0) delete resource.Metadata;
    }
  }
  if (copy.Conditions) {
    delete copy.Conditions.CDKMetadataAvailable;
    if (Object.keys(copy.Conditions).length === 0) delete copy.Conditions;
  }
  return copy;
}

/**
 * Compares the baseline with the current templates. A baseline stack that is no
 * longer synthesized counts as emptied: every guarded resource in it is lost to
 * this project. Stacks only in `current` are new and lose nothing (see
 * `stacksWithoutBaseline`).
 */
export function findReplacements(baseline: readonly StackTemplate[], current: readonly StackTemplate[]): ReplacementFinding[] {
  const currentByKey = new Map(current.map((s) => [stackKey(s), s]));
  return baseline.flatMap((base) => {
    const now = currentByKey.get(stackKey(base));
    return findStackReplacements(stackLabel(base), base.template, now?.template);
  });
}

/** Current stacks that have no baseline, so the guard cannot protect them yet. */
export function stacksWithoutBaseline(baseline: readonly StackTemplate[], current: readonly StackTemplate[]): string[] {
  const known = new Set(baseline.map(stackKey));
  return current.filter((s) => !known.has(stackKey(s))).map(stackLabel);
}

/**
 * Findings for one stack.
 *
 * @param stack how messages name the stack, usually `stackLabel(...)`
 * @param newTemplate undefined when the stack is no longer synthesized
 */
export function findStackReplacements(stack: string, oldTemplate: CfnTemplate, newTemplate: CfnTemplate | undefined): ReplacementFinding[] {
  const stackGone = newTemplate === undefined;
  const before = normalizeTemplate(oldTemplate);
  const after = normalizeTemplate(newTemplate ?? {});
  const diff = fullDiff(before, after);
  const findings: ReplacementFinding[] = [];
  const finding: Report = (logicalId, resourceType, impact, what, property) => {
    findings.push({
      stack,
      logicalId,
      resourceType,
      impact,
      property,
      message: `${stack}: ${resourceType} ${logicalId} ${what}. ${WHAT_TO_DO}`,
    });
  };

  diff.resources.forEachDifference((logicalId: string, change: ResourceDifference) => {
    const type = change.oldResourceType;
    if (change.isAddition || type === undefined || !GUARDED_RESOURCE_TYPES.includes(type)) return;

    if (change.isRemoval) {
      const impact = change.changeImpact === ResourceImpact.WILL_ORPHAN ? 'WILL_ORPHAN' : 'WILL_DESTROY';
      const fate = impact === 'WILL_ORPHAN' ? 'kept in the account but no longer managed by this stack' : 'deleted';
      finding(logicalId, type, impact, `would be removed from the stack (${impact}: ${fate}); ${whyRemoved(type, after, stackGone)}`);
      return;
    }
    if (change.resourceTypeChanged) {
      finding(logicalId, type, 'WILL_REPLACE', `would be replaced (WILL_REPLACE): its type changes to ${change.newResourceType}`, 'Type');
      return;
    }

    let reported = false;
    for (const [property, update] of Object.entries(change.propertyUpdates)) {
      const impact = replacement(update.changeImpact);
      if (impact) {
        finding(
          logicalId,
          type,
          impact,
          `${replaced(impact)}: ${property} changes from ${show(update.oldValue)} to ${show(update.newValue)}`,
          property,
        );
        reported = true;
      } else if (IMMUTABLE_PROPERTIES[type]?.includes(property)) {
        finding(
          logicalId,
          type,
          'WILL_REPLACE',
          `would need a new key (WILL_REPLACE): ${property} changes from ${show(update.oldValue)} to ${show(update.newValue)}, ` +
            'which KMS cannot change on an existing key (CloudFormation fails the update)',
          property,
        );
        reported = true;
      }
    }
    const resourceImpact = replacement(change.changeImpact);
    if (!reported && resourceImpact) finding(logicalId, type, resourceImpact, replaced(resourceImpact));

    for (const attribute of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
      const was = change.oldValue?.[attribute];
      const is = change.newValue?.[attribute];
      if ((was === 'Retain' || was === 'RetainExceptOnCreate') && is !== was) {
        finding(
          logicalId,
          type,
          'STOPS_RETAINING',
          `would no longer be retained (STOPS_RETAINING): ${attribute} changes from ${show(was)} to ${show(is ?? 'Delete')}`,
          attribute,
        );
      }
    }
  });

  reportDeployTimeSourceChanges(before, after, finding);
  return findings;
}

function replacement(impact: ResourceImpact | undefined): 'WILL_REPLACE' | 'MAY_REPLACE' | undefined {
  if (impact === ResourceImpact.WILL_REPLACE) return 'WILL_REPLACE';
  if (impact === ResourceImpact.MAY_REPLACE) return 'MAY_REPLACE';
  return undefined;
}

function replaced(impact: 'WILL_REPLACE' | 'MAY_REPLACE'): string {
  return `${impact === 'WILL_REPLACE' ? 'would' : 'may'} be replaced (${impact})`;
}

/** Why a guarded resource is gone: its stack is gone, or a resource of the same type took its place (a renamed construct). */
function whyRemoved(type: string, after: CfnTemplate, stackGone: boolean): string {
  if (stackGone) return 'the stack is no longer synthesized (renamed, removed, or moved to another account or Region)';
  const successors = Object.entries(after.Resources ?? {})
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
  if (successors.length > 0) {
    return `the template has ${type} ${successors.join(', ')} instead, so its logical ID changed (a renamed or moved construct)`;
  }
  return 'its logical ID is gone from the template';
}

/**
 * Replacing properties of guarded resources that take their value from a custom
 * resource at deploy time: if the custom resource's inputs change, the value it
 * returns may change too, which the template diff cannot see. (For AWS resource
 * types the diff itself propagates replacements along references.)
 */
function reportDeployTimeSourceChanges(before: CfnTemplate, after: CfnTemplate, finding: Report): void {
  const oldResources = before.Resources ?? {};
  const newResources = after.Resources ?? {};
  for (const [logicalId, resource] of Object.entries(newResources)) {
    const old = oldResources[logicalId];
    if (!old || old.Type !== resource.Type) continue;
    for (const property of REPLACING_PROPERTIES[resource.Type] ?? []) {
      const value = resource.Properties?.[property];
      if (JSON.stringify(value) !== JSON.stringify(old.Properties?.[property])) continue;
      for (const sourceId of referencedResources(value)) {
        const source = newResources[sourceId];
        const oldSource = oldResources[sourceId];
        if (!source || !oldSource || source.Type !== oldSource.Type || !isCustomResource(source.Type)) continue;
        const ignored = [...VALUE_NEUTRAL_INPUTS['*'], ...(VALUE_NEUTRAL_INPUTS[source.Type] ?? [])];
        const names = new Set([...Object.keys(source.Properties ?? {}), ...Object.keys(oldSource.Properties ?? {})]);
        for (const input of [...names].filter((n) => !ignored.includes(n)).sort()) {
          const was = oldSource.Properties?.[input];
          const is = source.Properties?.[input];
          if (JSON.stringify(was) === JSON.stringify(is)) continue;
          finding(
            logicalId,
            resource.Type,
            'MAY_REPLACE',
            `${replaced('MAY_REPLACE')}: ${property} is read at deploy time from ${source.Type} ${sourceId}, ` +
              `whose ${input} changes from ${show(was)} to ${show(is)}, so ${property} may become a different value`,
            property,
          );
        }
      }
    }
  }
}

function isCustomResource(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

/** Logical IDs that a property value refers to with `Ref` or `Fn::GetAtt`. */
function referencedResources(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedResources);
  if (typeof value !== 'object' || value === null) return [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    if (key === 'Ref' && typeof arg === 'string') return [arg];
    if (key === 'Fn::GetAtt') {
      const target = Array.isArray(arg) ? arg[0] : typeof arg === 'string' ? arg.split('.')[0] : undefined;
      if (typeof target === 'string') return [target];
    }
  }
  return entries.flatMap(([, v]) => referencedResources(v));
}

/** A value, short enough for a one-line message. */
function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
