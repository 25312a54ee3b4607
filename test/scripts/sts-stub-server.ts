import { createServer, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A local HTTP endpoint that answers STS AssumeRole in the query protocol (form-encoded
 * request, XML answer): point `AWS_ENDPOINT_URL_STS` at `url`.
 */
export interface StsStubServer {
  readonly url: string;
  /** The form fields of every request, in order of arrival. */
  readonly requests: Record<string, string>[];
  close(): Promise<void>;
}

export interface StsStubOptions {
  /** The temporary access key ID handed out. */
  readonly accessKeyId: string;
  /** Answer every AssumeRole with AccessDenied instead. */
  readonly deny?: boolean;
  /** Answer the first this many AssumeRole calls with AccessDenied, as IAM does for a role or trust it has not yet applied. */
  readonly denyFirst?: number;
}

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export async function startStsStubServer(options: StsStubOptions): Promise<StsStubServer> {
  const requests: Record<string, string>[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      requests.push(form);
      answer(form, options, response, requests);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(form: Record<string, string>, options: StsStubOptions, response: ServerResponse, requests: readonly unknown[]): void {
  if (form.Action !== 'AssumeRole') {
    send(response, 400, error('InvalidAction', `Could not find operation ${form.Action}`));
  } else if (options.deny === true || (options.denyFirst ?? 0) >= requests.length) {
    send(
      response,
      403,
      error(
        'AccessDenied',
        `User: arn:aws:iam::111111111111:user/ci is not authorized to perform: sts:AssumeRole on resource: ${form.RoleArn}`,
      ),
    );
  } else {
    const expiration = new Date(Date.now() + Number(form.DurationSeconds ?? 3600) * 1000).toISOString();
    send(
      response,
      200,
      `<AssumeRoleResponse xmlns="${XMLNS}"><AssumeRoleResult>` +
        `<Credentials><AccessKeyId>${options.accessKeyId}</AccessKeyId><SecretAccessKey>stub-secret</SecretAccessKey>` +
        `<SessionToken>stub-session-token</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>AROASTUB:${form.RoleSessionName}</AssumedRoleId><Arn>${form.RoleArn}</Arn></AssumedRoleUser>` +
        '</AssumeRoleResult><ResponseMetadata><RequestId>stub-request</RequestId></ResponseMetadata></AssumeRoleResponse>',
    );
  }
}

function error(code: string, message: string): string {
  return (
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${message}</Message></Error><RequestId>stub-request</RequestId></ErrorResponse>`
  );
}

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'stub-request' });
  response.end(body);
}
