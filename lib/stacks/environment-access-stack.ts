import { Arn, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EnvironmentDefinition, KeyDefinition } from '../config/kms-pipeline-config';
import { acknowledgeStackIdWildcards, keyStackArns, KeyStackLocation } from '../steps/key-stack-arns';
import {
  acknowledgePreflightWildcards,
  preflightStatements,
  preflightWildcards,
  PreflightScope,
} from '../steps/preflight-replica-regions-step';
import { protectStatements } from '../steps/protect-key-stacks-step';
import { acknowledgeVerificationKeyWildcards, verificationKmsStatements } from '../steps/verify-replication-step';

/** One role in the environment account, and the roles of the pipeline account that alone may assume it. */
export interface AccessRoleNames {
  /** The role's name in the environment account. */
  readonly roleName: string;
  /** Names of the roles, in the pipeline account, that may assume it. */
  readonly trustedRoleNames: readonly string[];
}

export interface EnvironmentAccessStackProps extends StackProps {
  /** The environment; its account and primary Region are the stack's. */
  readonly environment: EnvironmentDefinition;
  /** Every key of the configuration. */
  readonly keys: readonly KeyDefinition[];
  /** The account of the pipeline, whose step roles assume the roles of this stack. */
  readonly pipelineAccount: string;
  /** The environment's primary key stack. */
  readonly primaryKeyStack: KeyStackLocation;
  /** The environment's replica key stacks. */
  readonly replicaKeyStacks: readonly KeyStackLocation[];
  /** The verification role: KMS on the project's keys, for the pipeline's verification and the scheduled one. */
  readonly verify: AccessRoleNames;
  /** The preflight role: read the replica key stacks and the keys. */
  readonly preflight: AccessRoleNames;
  /** The protection role: turn on termination protection of the key stacks. */
  readonly protect: AccessRoleNames;
}

/**
 * The roles that the pipeline's steps assume in an environment account other than the pipeline's. The steps run in
 * the pipeline account; each role here trusts only the named roles of the steps that need it (the pipeline account's
 * root with an `aws:PrincipalArn` condition, so that a step role that is replaced keeps its access) and may do only
 * what those steps do, on this project's keys and key stacks. It deploys with the primary key stack, before the steps run.
 */
export class EnvironmentAccessStack extends Stack {
  public readonly verifyRole: iam.Role;
  public readonly preflightRole: iam.Role;
  public readonly protectRole: iam.Role;

  constructor(scope: Construct, id: string, props: EnvironmentAccessStackProps) {
    super(scope, id, props);
    const { environment, keys } = props;
    if (props.pipelineAccount === environment.account) {
      throw new Error(
        `pipelineAccount must differ from the environment's account: steps in the pipeline account need no role to assume, got ${props.pipelineAccount}`,
      );
    }
    this.verifyRole = this.accessRole(
      'VerifyRole',
      props.verify,
      props.pipelineAccount,
      'the verification of the keys (after each deploy and on its schedule)',
    );
    for (const statement of verificationKmsStatements(this, environment, keys)) this.verifyRole.addToPrincipalPolicy(statement);
    acknowledgeVerificationKeyWildcards(this.verifyRole, this, environment, keys);

    const preflightScope: PreflightScope = {
      account: environment.account,
      primaryRegion: environment.primaryRegion,
      replicaKeyStacks: props.replicaKeyStacks,
      aliases: keys.map((key) => key.alias),
    };
    this.preflightRole = this.accessRole(
      'PreflightRole',
      props.preflight,
      props.pipelineAccount,
      'the check of the replica Regions before the replica wave',
    );
    for (const statement of preflightStatements(this, preflightScope)) this.preflightRole.addToPrincipalPolicy(statement);
    const { stackArns, keyArnPatterns } = preflightWildcards(this, preflightScope);
    acknowledgePreflightWildcards(this.preflightRole, stackArns, keyArnPatterns);

    const keyStacks = keyStackArns([props.primaryKeyStack, ...props.replicaKeyStacks], this);
    this.protectRole = this.accessRole('ProtectRole', props.protect, props.pipelineAccount, 'the termination protection of the key stacks');
    for (const statement of protectStatements(keyStacks)) this.protectRole.addToPrincipalPolicy(statement);
    acknowledgeStackIdWildcards(this.protectRole, keyStacks);
  }

  /** A role that only the named roles of the pipeline account may assume. */
  private accessRole(id: string, names: AccessRoleNames, pipelineAccount: string, what: string): iam.Role {
    if (names.trustedRoleNames.length === 0) throw new Error(`${id}: trustedRoleNames must name at least one role, got []`);
    const trusted = names.trustedRoleNames.map((roleName) =>
      Arn.format({ service: 'iam', region: '', account: pipelineAccount, resource: 'role', resourceName: roleName }, this),
    );
    return new iam.Role(this, id, {
      roleName: names.roleName,
      description: `Assumed from the pipeline account ${pipelineAccount} for ${what}`,
      assumedBy: new iam.AccountPrincipal(pipelineAccount).withConditions({ ArnEquals: { 'aws:PrincipalArn': trusted } }),
    });
  }
}
