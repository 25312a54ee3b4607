import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './config';

/**
 * A stand-in for the AWS CLI's IAM policy commands (and the two S3 calls of the scheduled verification), for
 * running the project's shell commands offline.
 * It keeps the policies in a JSON file and applies IAM's rules that the script must live with:
 * - a managed policy has at most 5 versions: CreatePolicyVersion fails with LimitExceeded on the sixth
 *   (IAM quotas, "Managed policy versions": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html);
 * - the default version cannot be deleted: DeletePolicyVersion fails with DeleteConflict
 *   (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicyVersion.html);
 * - version IDs count up (v1, v2, ...) and are never reused; CreatePolicy fails with EntityAlreadyExists
 *   on an existing name, GetPolicy with NoSuchEntity on a missing ARN.
 * S3's ListObjectVersions leaves an empty Versions or DeleteMarkers list out of its response
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html), and GetObject fails on a key
 * whose latest version is a delete marker (AccessDenied, as for a caller without s3:ListBucket).
 * `--query` is evaluated with jmespath (the language the AWS CLI implements), and `--output text` prints a
 * list tab-separated on one line, as the CLI does. `npx` is replaced by a recorder, so `npx cdk bootstrap`
 * lines do nothing.
 */
const FAKE_AWS = `#!/usr/bin/env node
const fs = require('fs');
const jmespath = require(${JSON.stringify(path.join(ROOT, 'node_modules', 'jmespath'))});
const stateFile = process.env.FAKE_IAM_STATE;
const state = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')) : { policies: {}, clock: 0 };
const [service, op, ...rest] = process.argv.slice(2);
const arg = (name) => { const i = rest.indexOf(name); return i < 0 ? undefined : rest[i + 1]; };
const save = () => fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
const fail = (code, message) => {
  fs.appendFileSync(process.env.FAKE_IAM_ERRORS, op + ': ' + code + '\\n');
  process.stderr.write('An error occurred (' + code + ') when calling the ' + op + ' operation: ' + message + '\\n');
  process.exit(254);
};
const now = () => new Date(Date.UTC(2026, 0, 1) + 1000 * ++state.clock).toISOString().replace('.000Z', '+00:00');
const print = (value) => {
  const query = arg('--query');
  const result = query === undefined ? value : jmespath.search(value, query);
  if (arg('--output') === 'text') {
    if (Array.isArray(result)) { if (result.length > 0) process.stdout.write(result.join('\\t') + '\\n'); }
    else process.stdout.write((result === null ? 'None' : String(result)) + '\\n');
  } else process.stdout.write(JSON.stringify(result) + '\\n');
};
if (service === 's3api') {
  const s3File = process.env.FAKE_S3_STATE;
  const s3 = fs.existsSync(s3File) ? JSON.parse(fs.readFileSync(s3File, 'utf8')) : { versions: [], deleteMarkers: [] };
  const key = arg('--key');
  switch (op) {
    case 'list-object-versions': {
      const prefix = arg('--prefix') || '';
      const response = {};
      const versions = s3.versions.filter((v) => v.Key.startsWith(prefix)).map(({ Body, Metadata, ...v }) => v);
      const markers = s3.deleteMarkers.filter((v) => v.Key.startsWith(prefix));
      // S3 leaves a list out of the response when it is empty.
      if (versions.length > 0) response.Versions = versions;
      if (markers.length > 0) response.DeleteMarkers = markers;
      print(response);
      break;
    }
    case 'get-object': {
      const latestMarker = s3.deleteMarkers.find((m) => m.Key === key && m.IsLatest);
      const current = s3.versions.find((v) => v.Key === key && v.IsLatest);
      if (latestMarker || !current) fail('AccessDenied', 'Access Denied');
      fs.writeFileSync(rest[rest.indexOf(key) + 1], current.Body);
      print({ Metadata: current.Metadata });
      break;
    }
    default: fail('Unsupported', op);
  }
  process.exit(0);
}
if (service !== 'iam') fail('Unsupported', service);
const policy = () => state.policies[arg('--policy-arn')] || fail('NoSuchEntity', 'Policy ' + arg('--policy-arn') + ' does not exist');
switch (op) {
  case 'get-policy': { const p = policy(); print({ Policy: { Arn: p.arn, DefaultVersionId: p.versions.find((v) => v.IsDefaultVersion).VersionId } }); break; }
  case 'create-policy': {
    const arn = 'arn:aws:iam::111111111111:policy/' + arg('--policy-name');
    if (state.policies[arn]) fail('EntityAlreadyExists', 'A policy called ' + arg('--policy-name') + ' already exists');
    const document = fs.readFileSync(arg('--policy-document').replace(/^file:\\/\\//, ''), 'utf8');
    state.policies[arn] = { arn, next: 2, versions: [{ VersionId: 'v1', IsDefaultVersion: true, CreateDate: now(), document }] };
    save(); print({ Policy: { Arn: arn } }); break;
  }
  case 'list-policy-versions': print({ Versions: policy().versions.map(({ document, ...v }) => v) }); break;
  case 'delete-policy-version': {
    const p = policy(); const id = arg('--version-id'); const v = p.versions.find((x) => x.VersionId === id);
    if (!v) fail('NoSuchEntity', 'Version ' + id + ' does not exist');
    if (v.IsDefaultVersion) fail('DeleteConflict', 'Cannot delete the default version of a policy');
    p.versions = p.versions.filter((x) => x !== v); save(); break;
  }
  case 'create-policy-version': {
    const p = policy();
    if (p.versions.length >= 5) fail('LimitExceeded', 'Cannot exceed quota for PolicyVersionsPerPolicy: 5');
    const document = fs.readFileSync(arg('--policy-document').replace(/^file:\\/\\//, ''), 'utf8');
    const isDefault = rest.includes('--set-as-default');
    if (isDefault) p.versions.forEach((v) => (v.IsDefaultVersion = false));
    p.versions.push({ VersionId: 'v' + p.next++, IsDefaultVersion: isDefault, CreateDate: now(), document });
    save(); break;
  }
  default: fail('Unsupported', op);
}
`;

const FAKE_NPX = `#!/bin/sh
echo "$*" >> "$FAKE_NPX_LOG"
`;

export interface FakeIamVersion {
  readonly VersionId: string;
  readonly IsDefaultVersion: boolean;
  readonly CreateDate: string;
  /** The policy document of the version, as the script wrote it. */
  readonly document: string;
}

export interface FakeAwsCli {
  /** The environment to run a script with: the fakes first on PATH. */
  readonly env: NodeJS.ProcessEnv;
  /** The versions of every policy, by ARN. */
  policies(): Record<string, FakeIamVersion[]>;
  /** `operation: error code`, one per failed call, in order. */
  errors(): string[];
  /** Puts a policy in place with versions v1 to vCOUNT, `defaultVersion` the default. */
  seed(arn: string, count: number, defaultVersion: string): void;
  /** Sets the versions and delete markers of the one fake bucket (ListObjectVersions' shapes, plus Body and Metadata). */
  bucket(state: { versions: FakeObjectVersion[]; deleteMarkers: FakeDeleteMarker[] }): void;
}

export interface FakeObjectVersion {
  readonly Key: string;
  readonly VersionId: string;
  readonly IsLatest: boolean;
  readonly LastModified: string;
  readonly Body: string;
  readonly Metadata: Record<string, string>;
}

export interface FakeDeleteMarker {
  readonly Key: string;
  readonly VersionId: string;
  readonly IsLatest: boolean;
  readonly LastModified: string;
}

/** Installs the fake `aws` and `npx` in a new directory under `dir`. */
export function fakeAwsCli(dir: string): FakeAwsCli {
  const bin = fs.mkdtempSync(path.join(dir, 'fake-bin-'));
  fs.writeFileSync(path.join(bin, 'aws'), FAKE_AWS, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'npx'), FAKE_NPX, { mode: 0o755 });
  const stateFile = path.join(bin, 'iam.json');
  const errorsFile = path.join(bin, 'errors.log');
  fs.writeFileSync(errorsFile, '');
  return {
    env: {
      ...process.env,
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
      FAKE_IAM_STATE: stateFile,
      FAKE_IAM_ERRORS: errorsFile,
      FAKE_S3_STATE: path.join(bin, 's3.json'),
      FAKE_NPX_LOG: path.join(bin, 'npx.log'),
    },
    policies: () =>
      Object.fromEntries(
        Object.entries<{ versions: FakeIamVersion[] }>(
          fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')).policies : {},
        ).map(([arn, p]) => [arn, p.versions]),
      ),
    errors: () =>
      fs
        .readFileSync(errorsFile, 'utf8')
        .split('\n')
        .filter((line) => line !== ''),
    bucket: (state) => fs.writeFileSync(path.join(bin, 's3.json'), JSON.stringify(state)),
    seed: (arn, count, defaultVersion) => {
      const state = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')) : { policies: {}, clock: 0 };
      const versions = Array.from({ length: count }, (_, i) => ({
        VersionId: `v${i + 1}`,
        IsDefaultVersion: `v${i + 1}` === defaultVersion,
        CreateDate: new Date(Date.UTC(2025, 0, 1 + i)).toISOString().replace('.000Z', '+00:00'),
        document: '{}',
      }));
      state.policies[arn] = { arn, next: count + 1, versions };
      fs.writeFileSync(stateFile, JSON.stringify(state));
    },
  };
}
