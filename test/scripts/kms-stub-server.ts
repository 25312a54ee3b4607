import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { FakeKms, FakeKmsError, KmsOperation } from './fake-kms';

/**
 * A local HTTP endpoint that speaks enough of the KMS JSON protocol (awsJson1_1) for the
 * verification: point `AWS_ENDPOINT_URL` at `url`. The Region of each request is read from
 * the SigV4 credential scope, so one server plays every Region.
 */
export interface KmsStubServer {
  readonly url: string;
  readonly fake: FakeKms;
  /** The access key ID that signed each request, in order of arrival. */
  readonly accessKeyIds: string[];
  close(): Promise<void>;
}

const OPERATIONS: ReadonlySet<string> = new Set<KmsOperation>(['DescribeKey', 'Encrypt', 'Decrypt', 'GetKeyRotationStatus']);
const BLOB_FIELDS = new Set(['Plaintext', 'CiphertextBlob']);
const CREDENTIAL_SCOPE = /Credential=([^/]+)\/\d{8}\/([^/]+)\/kms\/aws4_request/;

export async function startKmsStubServer(fake: FakeKms): Promise<KmsStubServer> {
  const accessKeyIds: string[] = [];
  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => answer(fake, request, body, response, accessKeyIds))
      .catch((error: unknown) => send(response, 500, { __type: 'InternalException', message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    fake,
    accessKeyIds,
    close: () =>
      new Promise<void>((resolve) => {
        // Requests told to hang are still open; end them so that close() returns.
        server.closeAllConnections();
        // Closing twice is harmless: the callback then gets ERR_SERVER_NOT_RUNNING.
        server.close(() => resolve());
      }),
  };
}

function answer(fake: FakeKms, request: IncomingMessage, body: string, response: ServerResponse, accessKeyIds: string[]): void {
  const operation = String(request.headers['x-amz-target'] ?? '').replace(/^TrentService\./, '');
  const [, accessKeyId, region] = CREDENTIAL_SCOPE.exec(String(request.headers.authorization ?? '')) ?? [];
  if (region === undefined) {
    send(response, 400, { __type: 'MissingAuthenticationTokenException', message: 'Missing SigV4 credential scope' });
    return;
  }
  accessKeyIds.push(accessKeyId);
  if (!OPERATIONS.has(operation)) {
    send(response, 400, { __type: 'UnknownOperationException', message: `Unsupported target ${operation}` });
    return;
  }
  try {
    const output = fake.handle(region, operation as KmsOperation, fromWire(JSON.parse(body || '{}')));
    if (output !== 'hang') {
      send(response, 200, toWire(output));
    }
  } catch (error) {
    if (!(error instanceof FakeKmsError)) {
      throw error;
    }
    send(response, error.httpStatus, { __type: error.type, message: error.message });
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'stub-request' });
  response.end(JSON.stringify(body));
}

/** Blobs travel as base64 strings. */
function fromWire(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(input).map(([name, value]) => [
      name,
      BLOB_FIELDS.has(name) ? new Uint8Array(Buffer.from(String(value), 'base64')) : value,
    ]),
  );
}

function toWire(output: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(output).map(([name, value]) => [name, value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value]),
  );
}
