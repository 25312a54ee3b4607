import { isKnownRegion } from './aws-regions';

/**
 * The configuration schema: one entry per field, read by the validator and by
 * the generator of the README's configuration reference, so the two cannot drift.
 */

/** Returns a description of what is wrong with `value`, or undefined when it is fine. */
export type Check = (value: string) => string | undefined;

interface FieldDoc {
  /** What the field means, for the configuration reference. */
  readonly doc: string;
  /** What is allowed, in words; also the end of the error message. */
  readonly allowed: string;
  /** What changing the field on a deployed project does to the keys. */
  readonly onChange: string;
}

export interface StringField extends FieldDoc {
  readonly kind: 'string';
  readonly default?: string;
  readonly check?: Check;
}
export interface BooleanField extends FieldDoc {
  readonly kind: 'boolean';
  readonly default: boolean;
}
export interface IntegerField extends FieldDoc {
  readonly kind: 'integer';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}
export interface StringListField extends FieldDoc {
  readonly kind: 'stringList';
  readonly default?: readonly string[];
  readonly minItems: number;
  readonly maxItems?: number;
  readonly check?: Check;
}
export interface StringMapField extends FieldDoc {
  readonly kind: 'stringMap';
  readonly default: Readonly<Record<string, string>>;
  readonly maxEntries: number;
  readonly checkKey: Check;
  readonly checkValue: Check;
}
export interface ObjectField {
  readonly kind: 'object';
  readonly doc: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}
export type FieldSpec = StringField | BooleanField | IntegerField | StringListField | StringMapField | ObjectField;

const ACCOUNT = /^\d{12}$/;
const PARTITION = 'aws(?:-[a-z]+)*';
const CONNECTION_ARN = new RegExp(
  `^arn:${PARTITION}:(?:codeconnections|codestar-connections):([a-z0-9-]+):(\\d{12}):connection/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
);
const PRINCIPAL_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:(?:root|role/[\\w+=,.@/-]{1,512}|user/[\\w+=,.@/-]{1,512})$`);

/** An e-mail address as SNS subscriptions take it; the alerts construct checks its props with the same rule. */
export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** How many e-mail addresses the alerts topic is subscribed to, at most. */
export const MAX_ALERT_EMAILS = 10;

/** The default schedule of the verification outside the pipeline. */
export const DEFAULT_VERIFY_SCHEDULE = 'rate(1 hour)';
/** The value of `monitoring.verifySchedule` that turns the scheduled verification off. */
export const VERIFY_SCHEDULE_OFF = 'off';
const MIN_VERIFY_INTERVAL_MINUTES = 5;
const MAX_VERIFY_INTERVAL_MINUTES = 12 * 60;
const RATE_UNIT_MINUTES: Readonly<Record<string, number>> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };

/** The interval of an EventBridge Scheduler rate expression in minutes, or undefined when it is not one. */
export function verifyIntervalMinutes(schedule: string): number | undefined {
  const match = /^rate\(([1-9][0-9]*) (minutes?|hours?|days?)\)$/.exec(schedule);
  if (!match) return undefined;
  const value = Number(match[1]);
  // Scheduler wants the singular unit for 1 and the plural otherwise.
  if ((value === 1) !== !match[2].endsWith('s')) return undefined;
  return value * RATE_UNIT_MINUTES[match[2]];
}

const regionCheck: Check = (v) =>
  isKnownRegion(v) ? undefined : 'is not a known commercial AWS Region with KMS multi-region keys (for example us-east-1, eu-west-1)';

/** KMS alias rules: `alias/` + 1..250 of [A-Za-z0-9/_-], never under the reserved `alias/aws/`. */
export const aliasCheck: Check = (v) => {
  if (!v.startsWith('alias/')) return 'must start with "alias/"';
  if (v.toLowerCase().startsWith('alias/aws/')) return 'must not be under "alias/aws/", which is reserved for AWS managed keys';
  const name = v.slice('alias/'.length);
  if (name.length < 1 || name.length > 250 || !/^[A-Za-z0-9/_-]+$/.test(name)) {
    return 'must be "alias/" followed by 1 to 250 of A-Z a-z 0-9 / _ -';
  }
  return undefined;
};

/** The rules of `git check-ref-format --branch`, short of the ones that need a repository. */
function isGitBranchName(v: string): boolean {
  const hasControlCharacter = [...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  return (
    v.length > 0 && !hasControlCharacter && !/[\s~^:?*[\\]/.test(v) && !/^[/.-]|\/\/|\.\.|@\{|\/$|\.lock$|\.$|\/\./.test(v) && v !== '@'
  );
}

export const CONFIG_SCHEMA: ObjectField = {
  kind: 'object',
  doc: 'The whole configuration.',
  fields: {
    projectName: {
      kind: 'string',
      doc: 'Prefix of every stack name, of the SSM parameter path and of the bootstrap qualifier.',
      // Names that CloudFormation and CDK generate keep the first 25 characters of a stack name; the execution policy matches them by `<projectName>-`.
      allowed: '2 to 24 of a-z 0-9 -, starting with a letter, not ending with -',
      onChange:
        'new stacks with new keys, and the old stacks and keys stay (retained); the old stacks keep their aliases, so change key.alias too or delete the old stacks first',
      check: (v) =>
        /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/.test(v) ? undefined : 'must be 2 to 24 of a-z 0-9 -, start with a letter and not end with -',
    },
    pipeline: {
      kind: 'object',
      doc: 'Where the pipeline runs.',
      fields: {
        account: {
          kind: 'string',
          doc: 'AWS account of the pipeline and of every key stack.',
          allowed: '12 digits',
          onChange: 'a new pipeline and new keys in that account',
          check: (v) => (ACCOUNT.test(v) ? undefined : 'must be a 12-digit AWS account ID'),
        },
        region: {
          kind: 'string',
          doc: 'Region of the pipeline stack.',
          allowed: 'a known AWS Region',
          onChange: 'a new pipeline; keys unchanged',
          check: regionCheck,
        },
        manualApproval: {
          kind: 'boolean',
          default: true,
          doc: 'Whether a person approves before the replica wave deploys.',
          allowed: 'true or false',
          onChange: 'no',
        },
      },
    },
    source: {
      kind: 'object',
      doc: 'The repository whose pushes start the pipeline.',
      fields: {
        connectionArn: {
          kind: 'string',
          doc: 'ARN of an AWS CodeConnections connection, authorized in the console.',
          allowed: 'arn:aws:codeconnections:REGION:ACCOUNT:connection/UUID (codestar-connections also accepted)',
          onChange: 'no',
          check: (v) => {
            const match = CONNECTION_ARN.exec(v);
            if (!match) return 'must be a connection ARN such as arn:aws:codeconnections:us-east-1:123456789012:connection/UUID';
            return isKnownRegion(match[1]) ? undefined : `names Region "${match[1]}", which is not a known AWS Region`;
          },
        },
        repository: {
          kind: 'string',
          doc: 'The repository, as owner/repo.',
          allowed: 'owner/repo',
          onChange: 'no',
          check: (v) => (/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(v) ? undefined : 'must be "owner/repo"'),
        },
        branch: {
          kind: 'string',
          default: 'main',
          doc: 'Branch whose pushes start the pipeline.',
          allowed: 'a git branch name',
          onChange: 'no',
          check: (v) => (isGitBranchName(v) ? undefined : 'must be a valid git branch name'),
        },
      },
    },
    primaryRegion: {
      kind: 'string',
      doc: 'Region of the multi-region primary key.',
      allowed: 'a known AWS Region, not in any other region list',
      onChange:
        'a new, unrelated primary key (and replicas of it); the old ones stay (retained). To make another Region primary in KMS, see docs/runbooks/regional-outage.md',
      check: regionCheck,
    },
    replicaRegions: {
      kind: 'stringList',
      doc: 'Regions that hold a replica; each gets its own stage in the replica wave.',
      allowed: '1 or more known AWS Regions, no duplicates',
      onChange: 'adding deploys a new replica; removing stops managing it, and the replica stays (list it in retiredReplicaRegions)',
      minItems: 1,
      check: regionCheck,
    },
    noReplicaRegions: {
      kind: 'stringList',
      doc: 'Regions that must not be able to decrypt; the verification step proves it.',
      allowed: '1 or more known AWS Regions, none of them a primary, replica or retired Region',
      onChange: 'no',
      minItems: 1,
      check: regionCheck,
    },
    retiredReplicaRegions: {
      kind: 'stringList',
      default: [],
      doc: 'Regions removed from replicaRegions whose retained replica may still exist; synth warns, verification tolerates them.',
      allowed: '0 or more known AWS Regions, not in another region list',
      onChange: 'no',
      minItems: 0,
      check: regionCheck,
    },
    key: {
      kind: 'object',
      doc: 'Settings of the primary key and of every replica.',
      fields: {
        alias: {
          kind: 'string',
          doc: 'Alias of the key, the same in every Region.',
          allowed: 'alias/ followed by 1 to 250 of A-Z a-z 0-9 / _ -, not under alias/aws/',
          onChange: 'new aliases (the old alias names are deleted); keys unchanged; the SSM parameter moves to a new name',
          check: aliasCheck,
        },
        description: {
          kind: 'string',
          default: 'Multi-region key deployed by the kms-multi-region-pipeline',
          doc: 'Description of the key in every Region.',
          allowed: 'up to 8192 characters',
          onChange: 'no (updated in place)',
          check: (v) => (v.length <= 8192 ? undefined : 'must be at most 8192 characters'),
        },
        enableKeyRotation: {
          kind: 'boolean',
          default: true,
          doc: 'Automatic rotation of the key material (set on the primary, shared by replicas).',
          allowed: 'true or false',
          onChange: 'no (updated in place)',
        },
        rotationPeriodDays: {
          kind: 'integer',
          default: 365,
          min: 90,
          max: 2560,
          doc: 'Days between automatic rotations.',
          allowed: 'an integer from 90 to 2560',
          onChange: 'no (updated in place)',
        },
        pendingWindowDays: {
          kind: 'integer',
          default: 30,
          min: 7,
          max: 30,
          doc: 'Waiting period, in days, before KMS deletes a key scheduled for deletion.',
          allowed: 'an integer from 7 to 30',
          onChange: 'no (applies to a future deletion)',
        },
        tags: {
          kind: 'stringMap',
          default: {},
          maxEntries: 50,
          doc: 'Tags of the key in every Region.',
          allowed: 'up to 50; keys 1 to 128 characters not starting with aws:, values up to 256 characters',
          onChange: 'no (updated in place)',
          checkKey: (k) =>
            k.length < 1 || k.length > 128
              ? 'must be 1 to 128 characters'
              : k.toLowerCase().startsWith('aws:')
                ? 'must not start with "aws:", which is reserved'
                : undefined,
          checkValue: (v) => (v.length <= 256 ? undefined : 'must be at most 256 characters'),
        },
        adminPrincipalArns: {
          kind: 'stringList',
          default: [],
          minItems: 0,
          doc: 'IAM roles or users that manage the key (no cryptographic use).',
          allowed: 'IAM ARNs: arn:aws:iam::ACCOUNT:role/NAME, user/NAME or root',
          onChange: 'no (key policy updated in place)',
          check: (v) => (PRINCIPAL_ARN.test(v) ? undefined : 'must be an IAM role, user or account root ARN'),
        },
        userPrincipalArns: {
          kind: 'stringList',
          default: [],
          minItems: 0,
          doc: 'IAM roles or users that use the key for cryptography (no management).',
          allowed: 'IAM ARNs: arn:aws:iam::ACCOUNT:role/NAME, user/NAME or root',
          onChange: 'no (key policy updated in place)',
          check: (v) => (PRINCIPAL_ARN.test(v) ? undefined : 'must be an IAM role, user or account root ARN'),
        },
      },
    },
    monitoring: {
      kind: 'object',
      doc: 'Continuous proof between pushes: the scheduled verification and the alerts on the key.',
      fields: {
        verifySchedule: {
          kind: 'string',
          default: DEFAULT_VERIFY_SCHEDULE,
          doc: 'How often the verification program runs outside the pipeline, as an EventBridge Scheduler rate; "off" turns it off.',
          allowed: `rate(N minutes), rate(N hours) or rate(N days) from ${MIN_VERIFY_INTERVAL_MINUTES} minutes to ${MAX_VERIFY_INTERVAL_MINUTES / 60} hours, or "off"`,
          onChange: 'no',
          check: (v) => {
            if (v === VERIFY_SCHEDULE_OFF) return undefined;
            const minutes = verifyIntervalMinutes(v);
            if (minutes === undefined) return 'must be a rate such as "rate(1 hour)" or "rate(30 minutes)", or "off"';
            return minutes < MIN_VERIFY_INTERVAL_MINUTES || minutes > MAX_VERIFY_INTERVAL_MINUTES
              ? `must be from ${MIN_VERIFY_INTERVAL_MINUTES} minutes to ${MAX_VERIFY_INTERVAL_MINUTES / 60} hours (two periods of its alarm fit in CloudWatch's one-day evaluation range)`
              : undefined;
          },
        },
        alertEmails: {
          kind: 'stringList',
          default: [],
          minItems: 0,
          maxItems: MAX_ALERT_EMAILS,
          doc: 'E-mail addresses subscribed to the alerts topic; each must confirm the subscription.',
          allowed: `up to ${MAX_ALERT_EMAILS} e-mail addresses`,
          onChange: 'no',
          check: (v) => (EMAIL.test(v) ? undefined : 'must be an e-mail address such as ops@example.com'),
        },
      },
    },
  },
};
