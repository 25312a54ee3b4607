import { KMSServiceException } from '@aws-sdk/client-kms';

/**
 * What an error from a KMS call says about the key.
 *
 * - `refusal`: KMS answered and refused the request for a reason about the key (NotFoundException,
 *   or the AccessDeniedException KMS gives for a key that does not exist in the Region).
 *   This is evidence about the key, so a negative check passes on it.
 * - `permission`: IAM or an organization policy denied the call before KMS looked at the key.
 * - everything else: KMS did not give an answer about the key, so no check may pass on it.
 */
export type ErrorKind =
  'refusal' | 'permission' | 'throttling' | 'authentication' | 'server' | 'credentials' | 'network' | 'timeout' | 'unknown';

/** How IAM words a denial ("User: ... is not authorized to perform: kms:Decrypt ... because no identity-based policy allows ..."). */
const IAM_DENIAL =
  /is not authorized to perform|identity-based policy|explicit deny|service control policy|permissions boundary|session policy/i;

export interface ClassifiedError {
  readonly kind: ErrorKind;
  /** The error's name (`NotFoundException`, `TimeoutError`) or Node error code (`ECONNREFUSED`). */
  readonly type: string;
  /** `type: message`, on one line. */
  readonly detail: string;
}

/** Refusals named in the KMS API that say "this key cannot do that here". */
const KMS_REFUSALS = new Set([
  'NotFoundException',
  'AccessDeniedException',
  'DisabledException',
  'IncorrectKeyException',
  'InvalidCiphertextException',
  'InvalidKeyUsageException',
  'KMSInvalidStateException',
]);

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
]);

/** 4xx answers about the caller's credentials, not about the key. */
const AUTHENTICATION = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EPROTO',
  'ERR_INVALID_URL',
]);

export function classifyError(error: unknown): ClassifiedError {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const name = typeof fields.name === 'string' ? fields.name : 'Error';
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const type = name === 'Error' && code !== undefined ? code : name;
  const message = oneLine(typeof fields.message === 'string' ? fields.message : String(error));
  const detail = message === '' || message === type ? type : `${type}: ${message}`;
  const kind = kindOf(error, name, code, fields);
  return { kind: kind === 'refusal' && name === 'AccessDeniedException' && IAM_DENIAL.test(message) ? 'permission' : kind, type, detail };
}

function kindOf(
  error: unknown,
  name: string,
  code: string | undefined,
  fields: { $fault?: unknown; $metadata?: { httpStatusCode?: unknown } },
): ErrorKind {
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    return 'credentials';
  }
  const status = typeof fields.$metadata?.httpStatusCode === 'number' ? fields.$metadata.httpStatusCode : undefined;
  const isServiceError =
    error instanceof KMSServiceException || ((fields.$fault === 'client' || fields.$fault === 'server') && status !== undefined);
  if (isServiceError) {
    if (THROTTLING.has(name)) {
      return 'throttling';
    }
    if (AUTHENTICATION.has(name)) {
      return 'authentication';
    }
    if (KMS_REFUSALS.has(name)) {
      return 'refusal';
    }
    if (fields.$fault === 'server' || (status !== undefined && status >= 500)) {
      return 'server';
    }
    // Another 4xx is not known to say anything about the key.
    return 'unknown';
  }
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
    return 'timeout';
  }
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return 'network';
  }
  return 'unknown';
}

/** Collapses an error message to one line so that it fits a summary line and an XML attribute. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
