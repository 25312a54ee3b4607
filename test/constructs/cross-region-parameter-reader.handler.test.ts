import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../lib/constructs/cross-region-parameter-reader.handler';

const HANDLER_FILE = path.join(__dirname, '../../lib/constructs/cross-region-parameter-reader.handler.js');
const PARAMETER_NAME = '/kms-multi-region/app-data/primary-key-arn';
const PARAMETER_REGION = 'us-east-1';
const PRIMARY_KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
const LOG_STREAM = '2025/01/01/[$LATEST]0123456789abcdef';
// Stands in for the secret part of CloudFormation's presigned S3 URL.
const URL_SIGNATURE = 'X-Amz-Signature=feedfacecafebeef';

interface CapturedRequest {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  body: Record<string, unknown>;
}

const ssmMock = mockClient(SSMClient);
let server: http.Server;
let baseUrl: string;
let requests: CapturedRequest[];
let responseStatus: number;
let logSpy: jest.SpyInstance;
let errorSpy: jest.SpyInstance;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let rawBody = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (rawBody += chunk));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, rawBody, body: JSON.parse(rawBody) });
      res.writeHead(responseStatus).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
});

beforeEach(() => {
  ssmMock.reset();
  requests = [];
  responseStatus = 200;
  logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  errorSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
});

function responseUrl(): string {
  return `${baseUrl}/cloudformation-response/stack-id?${URL_SIGNATURE}`;
}

function makeEvent(requestType: 'Create' | 'Update' | 'Delete', overrides: Record<string, unknown> = {}) {
  return {
    RequestType: requestType,
    ResponseURL: responseUrl(),
    StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/ReplicaKeyStack/guid',
    RequestId: 'request-1',
    LogicalResourceId: 'PrimaryKeyArnReader',
    ResourceType: 'Custom::CrossRegionParameterReader',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:reader',
      ParameterName: PARAMETER_NAME,
      ParameterRegion: PARAMETER_REGION,
      SourceVersion: 'abc1234',
    },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: PARAMETER_NAME }),
    ...overrides,
  };
}

/** Runs the handler and returns the one response it sent. */
async function invoke(event: Record<string, unknown>): Promise<CapturedRequest> {
  await handler(event, { logStreamName: LOG_STREAM });
  // Checked straight after the handler resolves: it must not return before the PUT is done.
  expect(requests).toHaveLength(1);
  return requests[0];
}

function mockParameterValue(value: string): void {
  ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER_NAME, Type: 'String', Value: value } });
}

describe('Create and Update', () => {
  test('Create responds SUCCESS with the key ARN, keyed by the parameter name', async () => {
    mockParameterValue(PRIMARY_KEY_ARN);

    const { body } = await invoke(makeEvent('Create'));

    expect(body).toEqual({
      Status: 'SUCCESS',
      Reason: expect.any(String),
      PhysicalResourceId: PARAMETER_NAME,
      StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/ReplicaKeyStack/guid',
      RequestId: 'request-1',
      LogicalResourceId: 'PrimaryKeyArnReader',
      Data: { Value: PRIMARY_KEY_ARN },
    });
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: PARAMETER_NAME });
  });

  test('the SSM client is created for ParameterRegion, not the Lambda Region', async () => {
    const arn = PRIMARY_KEY_ARN.replace('us-east-1', 'ap-southeast-2');
    mockParameterValue(arn);

    const { body } = await invoke(
      makeEvent('Create', {
        ResourceProperties: { ParameterName: PARAMETER_NAME, ParameterRegion: 'ap-southeast-2' },
      }),
    );

    expect(body.Status).toBe('SUCCESS');
    const client = ssmMock.call(0).thisValue as SSMClient;
    await expect(client.config.region()).resolves.toBe('ap-southeast-2');
  });

  test('Update reads the parameter again and returns the current value', async () => {
    const rotatedArn = PRIMARY_KEY_ARN.replace('111122223333', '444455556666');
    mockParameterValue(rotatedArn);

    const { body } = await invoke(makeEvent('Update', { OldResourceProperties: { ParameterName: PARAMETER_NAME, SourceVersion: 'old' } }));

    expect(body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PARAMETER_NAME, Data: { Value: rotatedArn } });
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: PARAMETER_NAME });
  });

  test('accepts key ARNs of other partitions', async () => {
    const govArn = 'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    mockParameterValue(govArn);

    const { body } = await invoke(
      makeEvent('Create', { ResourceProperties: { ParameterName: PARAMETER_NAME, ParameterRegion: 'us-gov-west-1' } }),
    );

    expect(body).toMatchObject({ Status: 'SUCCESS', Data: { Value: govArn } });
  });
});

describe('Delete', () => {
  test('responds SUCCESS with the existing physical ID and never calls SSM', async () => {
    const { body } = await invoke(makeEvent('Delete', { PhysicalResourceId: 'existing-physical-id' }));

    expect(body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'existing-physical-id' });
    expect(body.Data).toBeUndefined();
    expect(ssmMock).not.toHaveReceivedAnyCommand();
  });

  test('succeeds even when the properties are gone', async () => {
    const { body } = await invoke(makeEvent('Delete', { ResourceProperties: {} }));

    expect(body.Status).toBe('SUCCESS');
    expect(ssmMock).not.toHaveReceivedAnyCommand();
  });
});

describe('failures', () => {
  test('a missing parameter fails with a reason naming the parameter and Region', async () => {
    ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'Parameter not found', $metadata: { httpStatusCode: 400 } }));

    const { body } = await invoke(makeEvent('Create'));

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toBe(`Parameter ${PARAMETER_NAME} in ${PARAMETER_REGION} does not exist`);
    expect(body.Data).toBeUndefined();
    expect(typeof body.PhysicalResourceId).toBe('string');
    expect(body.PhysicalResourceId).not.toBe('');
  });

  test('an access error fails with the SDK error name and message', async () => {
    const denied = Object.assign(new Error('not authorized to perform: ssm:GetParameter'), {
      name: 'AccessDeniedException',
    });
    ssmMock.on(GetParameterCommand).rejects(denied);

    const { body } = await invoke(makeEvent('Update'));

    expect(body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: PARAMETER_NAME });
    expect(body.Reason).toBe(
      `Parameter ${PARAMETER_NAME} in ${PARAMETER_REGION} could not be read: ` +
        'AccessDeniedException: not authorized to perform: ssm:GetParameter',
    );
  });

  test.each([
    ['a single-Region key ARN', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['a multi-Region key ARN of another Region', PRIMARY_KEY_ARN.replace('us-east-1', 'eu-west-1')],
    ['an alias ARN', 'arn:aws:kms:us-east-1:111122223333:alias/app-data'],
    ['a bare key ID', 'mrk-1234abcd12ab34cd56ef1234567890ab'],
    ['an ARN with trailing text', `${PRIMARY_KEY_ARN}\n`],
    ['an empty value', ''],
  ])('a parameter holding %s fails, showing the value received', async (_label, value) => {
    mockParameterValue(value);

    const { body } = await invoke(makeEvent('Create'));

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toBe(
      `Parameter ${PARAMETER_NAME} in ${PARAMETER_REGION} does not hold a multi-region key ARN of ` +
        `${PARAMETER_REGION}: got ${JSON.stringify(value)}`,
    );
    expect(body.Data).toBeUndefined();
  });

  test('a very long value is cut short so the response stays under the CloudFormation limit', async () => {
    mockParameterValue('x'.repeat(4000));

    const { body, rawBody } = await invoke(makeEvent('Create'));

    expect(body.Status).toBe('FAILED');
    expect(Buffer.byteLength(rawBody)).toBeLessThan(4096);
  });

  test.each([
    ['ParameterName is missing', { ParameterRegion: PARAMETER_REGION }, /ParameterName and ParameterRegion/],
    ['ParameterRegion is missing', { ParameterName: PARAMETER_NAME }, /ParameterName and ParameterRegion/],
    ['ParameterName is empty', { ParameterName: '', ParameterRegion: PARAMETER_REGION }, /ParameterName and/],
    ['no properties are set', undefined, /ParameterName and ParameterRegion properties are required/],
    [
      'ParameterRegion is not a Region name',
      { ParameterName: PARAMETER_NAME, ParameterRegion: 'us-east-1|.*' },
      /ParameterRegion must be a Region name such as us-east-1, got "us-east-1\|\.\*"/,
    ],
  ])('fails without calling SSM when %s', async (_label, properties, reason) => {
    const { body } = await invoke(makeEvent('Create', { ResourceProperties: properties }));

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toMatch(reason);
    expect(body.PhysicalResourceId).toBe(LOG_STREAM);
    expect(ssmMock).not.toHaveReceivedAnyCommand();
  });
});

describe('the response to CloudFormation', () => {
  test('is a PUT with an empty content-type and an exact content-length', async () => {
    mockParameterValue(PRIMARY_KEY_ARN);

    const request = await invoke(makeEvent('Create'));

    expect(request.method).toBe('PUT');
    expect(request.url).toBe(`/cloudformation-response/stack-id?${URL_SIGNATURE}`);
    expect(request.headers['content-type']).toBe('');
    expect(request.headers['content-length']).toBe(String(Buffer.byteLength(request.rawBody)));
  });

  test('the handler rejects when CloudFormation refuses the response, without revealing the URL', async () => {
    mockParameterValue(PRIMARY_KEY_ARN);
    responseStatus = 403;

    const result = handler(makeEvent('Create'), { logStreamName: LOG_STREAM });

    await expect(result).rejects.toThrow('CloudFormation response rejected with HTTP 403');
    await expect(result).rejects.not.toThrow(/Signature/);
  });

  test('logs one line per request and never the ResponseURL', async () => {
    mockParameterValue(PRIMARY_KEY_ARN);
    await invoke(makeEvent('Create'));
    requests = [];
    ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    await invoke(makeEvent('Update'));

    const logged = [...logSpy.mock.calls, ...errorSpy.mock.calls].map((args: unknown[]) =>
      args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '),
    );
    expect(logSpy.mock.calls).toEqual([['Create CrossRegionParameterReader: SUCCESS']]);
    expect(errorSpy.mock.calls).toEqual([
      [`Update CrossRegionParameterReader: FAILED: Parameter ${PARAMETER_NAME} in ${PARAMETER_REGION} does not exist`],
    ]);
    for (const line of logged) {
      expect(line).not.toContain(baseUrl);
      expect(line).not.toContain(URL_SIGNATURE);
    }
  });
});

/**
 * The handler file as the project holds it. Mutation testing runs this test in a copy of the project,
 * `<project>/.stryker-tmp/sandbox-<id>/`, whose handler is instrumented and several times larger; the
 * size that is inlined is the project's own file's.
 */
function deployedHandlerFile(): string {
  const sandbox = /^(.*)[\\/]\.stryker-tmp[\\/]sandbox-[^\\/]+[\\/](.*)$/.exec(HANDLER_FILE);
  return sandbox ? path.join(sandbox[1], sandbox[2]) : HANDLER_FILE;
}

test('the handler fits in an inline CloudFormation ZipFile (under 4096 characters)', () => {
  const source = fs.readFileSync(deployedHandlerFile(), 'utf8');

  // The pristine file, never the instrumented copy (whose preamble sets up the `__stryker__` global).
  expect(source).not.toContain('__stryker__');
  expect(source.length).toBeLessThan(4096);
});
