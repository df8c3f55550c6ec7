/**
 * The KMS keeper's requests. KMS itself cannot run here (no AWS account); a recording KMS that
 * wraps with a key of its own stands in for it. What is checked: KMS is asked for branch keys of
 * the configured key with their encryption context, once per container and hour rather than once
 * per stream; a data key opens only for its own stream; and the store keeps no plaintext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { KmsKeyWrapper, type KmsSender } from '../../../lib/personal-data/kms-key-wrapping.js';

/** A KMS that really wraps (AES-256-CTR under a key of its own, IV first) and records each request. */
function recordingKms() {
  const own = randomBytes(32);
  const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
  const kms: KmsSender = {
    async send(command) {
      sent.push({ name: command.constructor.name, input: command.input as Record<string, unknown> });
      if (command instanceof GenerateDataKeyCommand) {
        const plaintext = randomBytes(32);
        const iv = randomBytes(16);
        const blob = Buffer.concat([iv, createCipheriv('aes-256-ctr', own, iv).update(plaintext)]);
        return { Plaintext: plaintext, CiphertextBlob: blob };
      }
      const blob = Buffer.from(command.input.CiphertextBlob!);
      return {
        Plaintext: createDecipheriv('aes-256-ctr', own, blob.subarray(0, 16)).update(blob.subarray(16)),
      };
    },
  };
  const count = (name: string) => sent.filter((s) => s.name === name).length;
  return { kms, sent, count };
}

const streams = (n: number) => Array.from({ length: n }, (_, i) => `stream-${i}`);

describe('KMS key wrapping', () => {
  it('a thousand new streams cost one GenerateDataKey of the configured key, with the branch context', async () => {
    const { kms, sent, count } = recordingKms();
    const wrapper = new KmsKeyWrapper('alias/cqrs-personal-data', kms);
    const keys = await Promise.all(streams(1000).map((id) => wrapper.generate(id)));
    expect(count(GenerateDataKeyCommand.name)).toBe(1);
    expect(sent[0]!.input).toEqual({
      KeyId: 'alias/cqrs-personal-data',
      KeySpec: 'AES_256',
      EncryptionContext: { purpose: 'personal-data-branch-key' },
    });
    for (const key of keys.slice(0, 10)) expect(key.wrapped.includes(key.plaintext)).toBe(false);
    expect(new Set(keys.map((k) => k.plaintext.toString('hex'))).size).toBe(1000);
  });

  it("another container opens keys of two writers' containers with one Decrypt per branch key", async () => {
    const { kms, sent, count } = recordingKms();
    const writers = [new KmsKeyWrapper('alias/k', kms), new KmsKeyWrapper('alias/k', kms)];
    const ids = streams(600);
    const made = await Promise.all(ids.map((id, i) => writers[i % 2]!.generate(id)));
    const plaintexts = made.map((k) => Buffer.from(k.plaintext));
    const reader = new KmsKeyWrapper('alias/k', kms);
    const opened = await Promise.all(ids.map((id, i) => reader.unwrap(made[i]!.wrapped, id)));
    expect(opened).toEqual(plaintexts);
    expect(count(DecryptCommand.name)).toBe(2);
    const decrypt = sent.find((s) => s.name === DecryptCommand.name)!;
    expect(decrypt.input).toMatchObject({
      KeyId: 'alias/k',
      EncryptionContext: { purpose: 'personal-data-branch-key' },
    });
  });

  it('a container keeps at most its limit of branch keys open and asks KMS again for one it forgot', async () => {
    const { kms, count } = recordingKms();
    const writers = [0, 1, 2].map(() => new KmsKeyWrapper('alias/k', kms));
    const made = await Promise.all(writers.map((w, i) => w.generate(`stream-${i}`)));
    const reader = new KmsKeyWrapper('alias/k', kms, { maxBranchKeys: 2 });
    const open = (i: number) => reader.unwrap(made[i]!.wrapped, `stream-${i}`);
    for (const i of [0, 1, 2]) await open(i);
    expect(count(DecryptCommand.name)).toBe(3);
    expect(await open(0)).toEqual(await open(0));
    expect(count(DecryptCommand.name)).toBe(4);
    await open(2);
    expect(count(DecryptCommand.name)).toBe(4);
  });

  it('a wrapped key copied to another stream does not open', async () => {
    const { kms } = recordingKms();
    const wrapper = new KmsKeyWrapper('alias/k', kms);
    const { wrapped } = await wrapper.generate('stream-a');
    await expect(new KmsKeyWrapper('alias/k', kms).unwrap(wrapped, 'stream-b')).rejects.toThrow();
  });

  it('a branch key seals new keys for an hour, then a new one is asked for; older keys still open', async () => {
    const { kms, count } = recordingKms();
    let now = 0;
    const wrapper = new KmsKeyWrapper('alias/k', kms, { now: () => now });
    const early = await wrapper.generate('stream-early');
    const plaintext = Buffer.from(early.plaintext);
    now = 3_599_000;
    await wrapper.generate('stream-1');
    expect(count(GenerateDataKeyCommand.name)).toBe(1);
    now = 3_600_001;
    await wrapper.generate('stream-2');
    expect(count(GenerateDataKeyCommand.name)).toBe(2);
    expect(await new KmsKeyWrapper('alias/k', kms).unwrap(early.wrapped, 'stream-early')).toEqual(plaintext);
  });

  it('a refused GenerateDataKey is asked again by the next registration', async () => {
    const { kms, count } = recordingKms();
    let refuse = true;
    const flaky: KmsSender = {
      send: (command) => (refuse ? Promise.reject(new Error('ThrottlingException')) : kms.send(command)),
    };
    const wrapper = new KmsKeyWrapper('alias/k', flaky);
    await expect(wrapper.generate('stream-1')).rejects.toThrow('ThrottlingException');
    refuse = false;
    await expect(wrapper.generate('stream-1')).resolves.toBeDefined();
    expect(count(GenerateDataKeyCommand.name)).toBe(1);
  });
});
