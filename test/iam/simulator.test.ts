import { decide, PolicyDocument } from './simulator';

/*
 * What `decide` names a question by, so that a decision kept for one question (in the process or on disk, see
 * ./decision-store.ts) is never the answer to another.
 */
const ROLE = 'arn:aws:iam::111111111111:role/kms-mrk-test';
// An S3 object: an identity policy alone decides (a KMS key would need its key policy too).
const OBJECT = 'arn:aws:s3:::kms-mrk-test-bucket/report.xml';

function allowGetObject(condition?: { present: unknown }): PolicyDocument {
  const statement: Record<string, unknown> = { Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECT };
  if (condition !== undefined) statement.Condition = condition.present;
  return { Version: '2012-10-17', Statement: [statement] };
}

const question = (policy: PolicyDocument) => ({ principal: ROLE, action: 's3:GetObject', resource: OBJECT, identityPolicies: [policy] });

describe('the questions the IAM simulator is asked', () => {
  test('a field set to undefined is not the same question as a missing field: the simulator rejects one and allows the other', async () => {
    await expect(decide(question(allowGetObject({ present: undefined })))).rejects.toThrow(/the simulator rejected s3:GetObject/);
    await expect(decide(question(allowGetObject()))).resolves.toBe('Allowed');
    await expect(decide(question(allowGetObject({ present: undefined })))).rejects.toThrow(/the simulator rejected s3:GetObject/);
  });

  test('a policy cannot be changed once a question has named it, so no answer stands for content it no longer has', async () => {
    const policy = allowGetObject();
    await expect(decide(question(policy))).resolves.toBe('Allowed');
    expect(() => {
      (policy.Statement[0] as Record<string, unknown>).Effect = 'Deny';
    }).toThrow(TypeError);
    expect(() => {
      (policy.Statement as unknown[]).push({});
    }).toThrow(TypeError);
  });

  test('another action on a policy of the same content is another question: its answer is not the first one', async () => {
    await expect(decide(question(allowGetObject()))).resolves.toBe('Allowed');
    await expect(decide({ ...question(allowGetObject()), action: 's3:PutObject' })).resolves.toBe('ImplicitlyDenied');
  });
});
