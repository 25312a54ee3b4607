import {
  DecryptCommand,
  DescribeKeyCommand,
  DisabledException,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  KMSInvalidStateException,
  KMSServiceException,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { KmsClientFactory } from '../../scripts/verify-replication/kms-clients';
import { FakeKms, FakeKmsError, KmsOperation } from './fake-kms';

/** Plain KMS clients with dummy credentials, for the verification to use against {@link mockKmsWith}. */
export const mockedKmsClients: KmsClientFactory = (region) =>
  new KMSClient({ region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

/**
 * Mocks every KMSClient so that calls are answered by `fake` in the client's Region.
 * Tests add narrower `kmsMock.on(Command, input)` behaviours on top for one-off answers.
 */
export function mockKmsWith(fake: FakeKms): AwsClientStub<KMSClient> {
  const kmsMock = mockClient(KMSClient);
  const answer =
    (operation: KmsOperation) =>
    async (input: Record<string, unknown>, getClient: () => KMSClient): Promise<Record<string, unknown>> => {
      const region = await getClient().config.region();
      try {
        const output = fake.handle(region, operation, input);
        return output === 'hang' ? new Promise(() => undefined) : { ...output, $metadata: { httpStatusCode: 200 } };
      } catch (error) {
        throw error instanceof FakeKmsError ? toServiceException(error) : error;
      }
    };
  kmsMock.on(DescribeKeyCommand).callsFake(answer('DescribeKey'));
  kmsMock.on(EncryptCommand).callsFake(answer('Encrypt'));
  kmsMock.on(DecryptCommand).callsFake(answer('Decrypt'));
  kmsMock.on(GetKeyRotationStatusCommand).callsFake(answer('GetKeyRotationStatus'));
  return kmsMock;
}

const MODELED = {
  NotFoundException,
  DisabledException,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSInvalidStateException,
} as const;

/** The exception the SDK would throw for a KMS error response. */
export function serviceException(type: string, message: string, httpStatus = 400): KMSServiceException {
  const $metadata = { httpStatusCode: httpStatus, requestId: 'test-request' };
  const Modeled = MODELED[type as keyof typeof MODELED];
  return Modeled !== undefined
    ? new Modeled({ message, $metadata })
    : new KMSServiceException({ name: type, message, $fault: httpStatus >= 500 ? 'server' : 'client', $metadata });
}

function toServiceException(error: FakeKmsError): KMSServiceException {
  return serviceException(error.type, error.message, error.httpStatus);
}
