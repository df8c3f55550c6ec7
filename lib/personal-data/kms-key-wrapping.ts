/**
 * Envelope encryption with AWS KMS: each stream's data key comes from GenerateDataKey under one
 * KMS key and is stored only as the CiphertextBlob; Decrypt unwraps it. The stream id is the
 * encryption context, so a wrapped key copied to another stream does not decrypt (and CloudTrail
 * names the stream of every Decrypt). The SDK is loaded on first use, so a function that never
 * meets personal data never loads it (it is in the Lambda runtime, not in the bundles).
 */
import type { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import type { DataKey, KeyWrapper } from './key-wrapping.js';

/** The one KMS call the wrapper needs: the client's `send`, so tests can record the requests. */
export interface KmsSender {
  send(command: GenerateDataKeyCommand | DecryptCommand): Promise<{
    Plaintext?: Uint8Array;
    CiphertextBlob?: Uint8Array;
  }>;
}

const sdk = () => import('@aws-sdk/client-kms');

export class KmsKeyWrapper implements KeyWrapper {
  readonly kind = 'kms';

  constructor(
    private readonly keyId: string,
    private kms?: KmsSender,
  ) {}

  private async client(): Promise<KmsSender> {
    if (!this.kms) {
      const { KMSClient } = await sdk();
      this.kms = new KMSClient({}) as unknown as KmsSender;
    }
    return this.kms;
  }

  async generate(streamId: string): Promise<DataKey> {
    const { GenerateDataKeyCommand } = await sdk();
    const out = await (
      await this.client()
    ).send(
      new GenerateDataKeyCommand({
        KeyId: this.keyId,
        KeySpec: 'AES_256',
        EncryptionContext: { stream: streamId },
      }),
    );
    if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS GenerateDataKey returned no key.');
    return { plaintext: Buffer.from(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob) };
  }

  async unwrap(wrapped: Buffer, streamId: string): Promise<Buffer> {
    const { DecryptCommand } = await sdk();
    const out = await (
      await this.client()
    ).send(
      new DecryptCommand({
        KeyId: this.keyId,
        CiphertextBlob: wrapped,
        EncryptionContext: { stream: streamId },
      }),
    );
    if (!out.Plaintext) throw new Error('KMS Decrypt returned no key.');
    return Buffer.from(out.Plaintext);
  }
}
