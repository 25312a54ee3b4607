import { Resource, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { multiRegionKeyPolicy } from './key-policy';
import { KeySettingsProps, validateKeySettings } from './key-settings';

export interface ReplicaKeyProps extends KeySettingsProps {
  /**
   * ARN of the multi-region primary key to replicate.
   *
   * IMPORTANT: changing this value replaces the replica, and a replaced
   * replica is a different key. Feed it from the primary's SSM parameter.
   */
  readonly primaryKeyArn: string;
}

/**
 * A replica of a multi-region primary key, with an alias of the same name as
 * the primary's, that callers use like any `IKey` (`grantDecrypt`, ...).
 *
 * Replicas share the primary's key material, key ID and rotation; they get the
 * same key policy, description and tags. The replica is retained when its stack
 * or this construct goes away.
 */
export class ReplicaKey extends Resource implements kms.IKey {
  /** ARN of the replica key in this stack's Region. */
  public readonly keyArn: string;
  /** ID of the replica (`mrk-...`), the same as the primary's. */
  public readonly keyId: string;
  /** Name of the alias (`alias/...`). */
  public readonly aliasName: string;
  /** The underlying CloudFormation replica key. */
  public readonly cfnReplicaKey: kms.CfnReplicaKey;

  private readonly imported: kms.IKey;

  constructor(scope: Construct, id: string, props: ReplicaKeyProps) {
    super(scope, id);
    validateKeySettings(props);
    if (
      !Token.isUnresolved(props.primaryKeyArn) &&
      !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/mrk-[0-9a-f]{32}$/.test(props.primaryKeyArn)
    ) {
      throw new Error(`primaryKeyArn must be the ARN of a multi-region key (key/mrk-...), got ${JSON.stringify(props.primaryKeyArn)}`);
    }

    this.cfnReplicaKey = new kms.CfnReplicaKey(this, 'Resource', {
      primaryKeyArn: props.primaryKeyArn,
      keyPolicy: multiRegionKeyPolicy(props),
      description: props.description,
      pendingWindowInDays: props.pendingWindowDays ?? 30,
      enabled: true,
      tags: Object.entries(props.tags ?? {}).map(([key, value]) => ({ key, value })),
    });
    this.cfnReplicaKey.applyRemovalPolicy(RemovalPolicy.RETAIN);

    new kms.CfnAlias(this, 'Alias', {
      aliasName: props.alias,
      targetKeyId: this.cfnReplicaKey.attrKeyId,
    });

    this.keyArn = this.cfnReplicaKey.attrArn;
    this.keyId = this.cfnReplicaKey.attrKeyId;
    this.aliasName = props.alias;
    this.imported = kms.Key.fromKeyArn(this, 'Imported', this.keyArn);
  }

  public get keyRef(): kms.KeyReference {
    return this.imported.keyRef;
  }

  public addAlias(alias: string): kms.Alias {
    return new kms.Alias(this, `Alias${alias}`, { aliasName: alias, targetKey: this });
  }

  /**
   * Not supported: the replica's key policy is the one its props build, shared
   * with the primary. Grant through IAM (`grant*`) or configure the principals.
   */
  public addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    throw new Error(
      `ReplicaKey ${this.node.path} cannot add to its key policy (${JSON.stringify(statement.toStatementJson())}): ` +
        'the policy is set by adminPrincipalArns/userPrincipalArns and shared with the primary',
    );
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.imported.grant(grantee, ...actions);
  }

  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.imported.grantDecrypt(grantee);
  }

  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.imported.grantEncrypt(grantee);
  }

  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.imported.grantEncryptDecrypt(grantee);
  }

  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return this.imported.grantSign(grantee);
  }

  public grantVerify(grantee: iam.IGrantable): iam.Grant {
    return this.imported.grantVerify(grantee);
  }

  public grantSignVerify(grantee: iam.IGrantable): iam.Grant {
    return this.imported.grantSignVerify(grantee);
  }

  public grantGenerateMac(grantee: iam.IGrantable): iam.Grant {
    return this.imported.grantGenerateMac(grantee);
  }

  public grantVerifyMac(grantee: iam.IGrantable): iam.Grant {
    return this.imported.grantVerifyMac(grantee);
  }
}
