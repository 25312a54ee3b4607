import * as fs from 'fs';
import { execFileSync } from 'child_process';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
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

/** Stands in for CloudFormation's response bucket: records each request and answers with `responseStatus`. */
function recordRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
  let rawBody = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (rawBody += chunk));
  req.on('end', () => {
    requests.push({ method: req.method, url: req.url, headers: req.headers, rawBody, body: JSON.parse(rawBody) });
    res.writeHead(responseStatus).end();
  });
}

/** Starts `server` on a free port of 127.0.0.1 and returns its base URL. */
async function listen(server: http.Server | https.Server, protocol: 'http' | 'https'): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${protocol}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: http.Server | https.Server): Promise<void> {
  return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

beforeAll(async () => {
  server = http.createServer(recordRequest);
  baseUrl = await listen(server, 'http');
});

afterAll(() => close(server));

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
      Reason: 'Create succeeded',
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

  test('accepts a Region whose number has two digits', async () => {
    const arn = PRIMARY_KEY_ARN.replace('us-east-1', 'ap-southeast-10');
    mockParameterValue(arn);

    const { body } = await invoke(
      makeEvent('Create', { ResourceProperties: { ParameterName: PARAMETER_NAME, ParameterRegion: 'ap-southeast-10' } }),
    );

    expect(body).toMatchObject({ Status: 'SUCCESS', Data: { Value: arn } });
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
    expect(body.Reason).toBe(
      `Parameter ${PARAMETER_NAME} in ${PARAMETER_REGION} does not hold a multi-region key ARN of ${PARAMETER_REGION}: ` +
        `got ${JSON.stringify('x'.repeat(300))}`,
    );
    expect(Buffer.byteLength(rawBody)).toBeLessThan(4096);
  });

  test('a very long SSM error is cut to 1000 characters in the reason', async () => {
    ssmMock.on(GetParameterCommand).rejects(Object.assign(new Error('y'.repeat(3000)), { name: 'InternalServerError' }));

    const { body } = await invoke(makeEvent('Create'));

    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toBe(
      `Parameter ${PARAMETER_NAME} in ${PARAMETER_REGION} could not be read: InternalServerError: ${'y'.repeat(3000)}`.slice(0, 1000),
    );
  });

  test('a value that is not a string is refused, even one that reads as the ARN', async () => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER_NAME, Value: [PRIMARY_KEY_ARN] as unknown as string } });

    const { body } = await invoke(makeEvent('Create'));

    expect(body).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('does not hold a multi-region key ARN') });
    expect(body.Data).toBeUndefined();
  });

  test.each([
    ['ParameterName is missing', { ParameterRegion: PARAMETER_REGION }, /ParameterName and ParameterRegion/],
    ['ParameterRegion is missing', { ParameterName: PARAMETER_NAME }, /ParameterName and ParameterRegion/],
    ['ParameterName is empty', { ParameterName: '', ParameterRegion: PARAMETER_REGION }, /ParameterName and/],
    ['no properties are set', undefined, /ParameterName and ParameterRegion properties are required/],
    ['ParameterName is not a string', { ParameterName: 42, ParameterRegion: PARAMETER_REGION }, /ParameterName and ParameterRegion/],
    ['ParameterRegion is not a string', { ParameterName: PARAMETER_NAME, ParameterRegion: [PARAMETER_REGION] }, /ParameterName and/],
    [
      'ParameterRegion only ends in a Region name',
      { ParameterName: PARAMETER_NAME, ParameterRegion: '.*|us-east-1' },
      /ParameterRegion must be a Region name such as us-east-1, got "\.\*\|us-east-1"/,
    ],
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

  test('goes over https to an https ResponseURL, as CloudFormation gives', async () => {
    // A certificate for 127.0.0.1 made for this test, trusted by the default https agent for its duration.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reader-https-'));
    const [keyFile, certFile] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'],
        ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile],
      ],
      { stdio: 'ignore' },
    );
    const cert = fs.readFileSync(certFile);
    const httpsServer = https.createServer({ key: fs.readFileSync(keyFile), cert }, recordRequest);
    const httpsUrl = await listen(httpsServer, 'https');
    const trusted = https.globalAgent.options.ca;
    https.globalAgent.options.ca = cert;
    try {
      mockParameterValue(PRIMARY_KEY_ARN);

      await handler(makeEvent('Create', { ResponseURL: `${httpsUrl}/cloudformation-response/stack-id?${URL_SIGNATURE}` }), {
        logStreamName: LOG_STREAM,
      });

      expect(requests).toHaveLength(1);
      expect(requests[0]).toMatchObject({ method: 'PUT', url: `/cloudformation-response/stack-id?${URL_SIGNATURE}` });
      expect(requests[0].body).toMatchObject({ Status: 'SUCCESS', Data: { Value: PRIMARY_KEY_ARN } });
    } finally {
      https.globalAgent.options.ca = trusted;
      https.globalAgent.destroy();
      await close(httpsServer);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([403, 300])('the handler rejects when CloudFormation answers HTTP %i, without revealing the URL', async (status) => {
    mockParameterValue(PRIMARY_KEY_ARN);
    responseStatus = status;

    const result = handler(makeEvent('Create'), { logStreamName: LOG_STREAM });

    await expect(result).rejects.toThrow(`CloudFormation response rejected with HTTP ${status}`);
    await expect(result).rejects.not.toThrow(/Signature/);
  });

  test('the handler rejects when the response cannot be sent, without revealing the URL', async () => {
    mockParameterValue(PRIMARY_KEY_ARN);
    const closed = http.createServer();
    const closedUrl = await listen(closed, 'http');
    await close(closed);

    const result = handler(makeEvent('Create', { ResponseURL: `${closedUrl}/cloudformation-response/stack-id?${URL_SIGNATURE}` }), {
      logStreamName: LOG_STREAM,
    });

    await expect(result).rejects.toThrow(/^CloudFormation response not sent: connect ECONNREFUSED/);
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
