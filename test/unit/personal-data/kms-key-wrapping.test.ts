/**
 * The KMS keeper's requests. KMS itself cannot run here (no AWS account); what is checked is
 * that each data key is asked of the configured KMS key with the stream as encryption context,
 * and that only the CiphertextBlob is what the store keeps.
 */
import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { KmsKeyWrapper, type KmsSender } from '../../../lib/personal-data/kms-key-wrapping.js';

function recordingKms() {
  const sent: Array<{ name: string; input: unknown }> = [];
  const plaintext = randomBytes(32);
  const blob = randomBytes(184);
  const kms: KmsSender = {
    async send(command) {
      sent.push({ name: command.constructor.name, input: command.input });
      return command instanceof GenerateDataKeyCommand
        ? { Plaintext: plaintext, CiphertextBlob: blob }
        : { Plaintext: plaintext };
    },
  };
  return { kms, sent, plaintext, blob };
}

describe('KMS key wrapping', () => {
  it('a data key comes from GenerateDataKey (AES_256) under the configured key, bound to its stream', async () => {
    const { kms, sent, plaintext, blob } = recordingKms();
    const key = await new KmsKeyWrapper('alias/cqrs-personal-data', kms).generate('stream-1');
    expect(key).toEqual({ plaintext, wrapped: blob });
    expect(sent).toEqual([
      {
        name: 'GenerateDataKeyCommand',
        input: {
          KeyId: 'alias/cqrs-personal-data',
          KeySpec: 'AES_256',
          EncryptionContext: { stream: 'stream-1' },
        },
      },
    ]);
  });

  it('a wrapped key is unwrapped by Decrypt with the same key and encryption context', async () => {
    const { kms, sent, plaintext, blob } = recordingKms();
    expect(await new KmsKeyWrapper('alias/k', kms).unwrap(blob, 'stream-1')).toEqual(plaintext);
    expect(sent[0]!.name).toBe(DecryptCommand.name);
    expect(sent[0]!.input).toEqual({
      KeyId: 'alias/k',
      CiphertextBlob: blob,
      EncryptionContext: { stream: 'stream-1' },
    });
  });
});
