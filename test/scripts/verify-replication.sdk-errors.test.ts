import { KMSServiceException, NotFoundException } from '@aws-sdk/client-kms';
import { classifyError, oneLine } from '../../scripts/verify-replication/sdk-errors';

/** An error shaped as the SDK throws for a service answer, without being a KMS exception class. */
function answered(name: string, status: number, fault: 'client' | 'server' = status >= 500 ? 'server' : 'client', message = 'msg') {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

function kmsException(name: string, message: string, status = 400): KMSServiceException {
  return new KMSServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

function nodeError(code: string, message = `${code} 127.0.0.1:443`) {
  return Object.assign(new Error(message), { code });
}

describe('what KMS says about the key', () => {
  test.each([
    'NotFoundException',
    'DisabledException',
    'IncorrectKeyException',
    'InvalidCiphertextException',
    'InvalidKeyUsageException',
    'KMSInvalidStateException',
  ])('%s from KMS is a refusal', (name) => {
    expect(classifyError(kmsException(name, 'about the key')).kind).toBe('refusal');
    expect(classifyError(answered(name, 400)).kind).toBe('refusal');
  });

  test('a modeled NotFoundException is a refusal with its type and message', () => {
    const error = new NotFoundException({ message: 'Key does not exist', $metadata: { httpStatusCode: 400 } });
    expect(classifyError(error)).toEqual({ kind: 'refusal', type: 'NotFoundException', detail: 'NotFoundException: Key does not exist' });
  });

  test('an AccessDeniedException about the key is a refusal', () => {
    const error = kmsException('AccessDeniedException', 'The ciphertext refers to a customer master key that does not exist');
    expect(classifyError(error).kind).toBe('refusal');
  });

  test.each([
    'User: arn:aws:sts::111111111111:assumed-role/verify is not authorized to perform: kms:Decrypt',
    'because no identity-based policy allows the kms:Decrypt action',
    'with an explicit deny in a service control policy',
    'because no permissions boundary allows it',
    'because no session policy allows it',
  ])('an AccessDeniedException worded by IAM is a permission problem: %s', (message) => {
    expect(classifyError(kmsException('AccessDeniedException', message)).kind).toBe('permission');
  });

  test('IAM wording makes only an AccessDeniedException a permission problem', () => {
    expect(classifyError(kmsException('NotFoundException', 'is not authorized to perform: kms:Decrypt')).kind).toBe('refusal');
  });
});

describe('answers that say nothing about the key', () => {
  test.each(['ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded'])('%s is throttling', (name) => {
    expect(classifyError(answered(name, 400)).kind).toBe('throttling');
  });

  test.each(['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException'])('%s is authentication', (name) => {
    expect(classifyError(answered(name, 400)).kind).toBe('authentication');
  });

  test.each([
    ['a server fault', answered('KMSInternalException', 500)],
    ['a 500 marked as a client fault', answered('SomethingOdd', 500, 'client')],
    ['a 503', answered('ServiceUnavailable', 503, 'client')],
  ])('%s is a server error', (_label, error) => {
    expect(classifyError(error).kind).toBe('server');
  });

  test.each([
    ['another 4xx from KMS', kmsException('ValidationException', 'bad request', 400)],
    ['a 499 client fault', answered('SomethingOdd', 499)],
    ['a fault without an HTTP status', Object.assign(new Error('x'), { name: 'NotFoundException', $fault: 'client', $metadata: {} })],
    [
      'a fault that is neither client nor server',
      Object.assign(new Error('x'), { name: 'NotFoundException', $metadata: { httpStatusCode: 400 } }),
    ],
  ])('%s is unknown, never a refusal', (_label, error) => {
    expect(classifyError(error).kind).toBe('unknown');
  });

  test.each(['CredentialsProviderError', 'TokenProviderError'])('%s is missing credentials', (name) => {
    expect(classifyError(Object.assign(new Error('Could not load credentials'), { name })).kind).toBe('credentials');
  });

  test.each([
    ['TimeoutError', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['AbortError', Object.assign(new Error('aborted'), { name: 'AbortError' })],
    ['ETIMEDOUT', nodeError('ETIMEDOUT')],
    ['ECONNABORTED', nodeError('ECONNABORTED')],
  ])('%s is a timeout', (_label, error) => {
    expect(classifyError(error).kind).toBe('timeout');
  });

  test.each(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EPROTO', 'ERR_INVALID_URL'])(
    '%s is a network error named by its code',
    (code) => {
      expect(classifyError(nodeError(code, 'connect failed'))).toEqual({ kind: 'network', type: code, detail: `${code}: connect failed` });
    },
  );

  test('a named error keeps its name as its type, whatever its code', () => {
    const error = Object.assign(new Error('socket hang up'), { name: 'RequestError', code: 'ECONNRESET' });
    expect(classifyError(error)).toEqual({ kind: 'network', type: 'RequestError', detail: 'RequestError: socket hang up' });
  });

  test.each([
    ['a string', 'boom', { kind: 'unknown', type: 'Error', detail: 'Error: boom' }],
    ['null', null, { kind: 'unknown', type: 'Error', detail: 'Error: null' }],
    [
      'an object with a non-string name and code',
      { name: 7, code: 7, message: 'odd' },
      { kind: 'unknown', type: 'Error', detail: 'Error: odd' },
    ],
    ['an error with an unknown code', nodeError('EWHATEVER', 'odd'), { kind: 'unknown', type: 'EWHATEVER', detail: 'EWHATEVER: odd' }],
  ])('%s is unknown', (_label, error, expected) => {
    expect(classifyError(error)).toEqual(expected);
  });
});

describe('the detail', () => {
  test('is the type alone when the message is empty or only repeats the type', () => {
    expect(classifyError(Object.assign(new Error(''), { name: 'TimeoutError' })).detail).toBe('TimeoutError');
    expect(classifyError(Object.assign(new Error('TimeoutError'), { name: 'TimeoutError' })).detail).toBe('TimeoutError');
  });

  test('is one line', () => {
    expect(classifyError(kmsException('NotFoundException', '  Key\n  does not\texist \n')).detail).toBe(
      'NotFoundException: Key does not exist',
    );
    expect(oneLine(' a \r\n b ')).toBe('a b');
  });
});
