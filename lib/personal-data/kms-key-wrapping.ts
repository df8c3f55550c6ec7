/**
 * Envelope encryption with AWS KMS, in two levels, so KMS is called per container rather than per
 * stream. A container asks GenerateDataKey once for a branch key (renewed every `branchTtlMs`),
 * then wraps each stream's data key under it locally (AES-256-GCM, the stream id as additional
 * data, wrapUnder). What the key store keeps for a stream is the branch key's CiphertextBlob
 * followed by that local wrapping; unwrapping it costs one KMS Decrypt per branch key per
 * container, then local work only. A projection batch of a thousand new users thus makes as many
 * Decrypt calls as there were command containers that registered them, not a thousand (which
 * would meet KMS's request quota and hold the partition).
 *
 * Erasure still shreds one person: their data key row is deleted, and the branch key it was
 * wrapped under opens nothing else of theirs. The price is that CloudTrail names the branch key
 * of a Decrypt, not the stream. The SDK is loaded on first use, so a function that never meets
 * personal data never loads it (it is in the Lambda runtime, not in the bundles).
 */
import type { KeyObject } from 'node:crypto';
import type { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { keyObjectOf, unwrapUnder, wrapUnder, type DataKey, type KeyWrapper } from './key-wrapping.js';
import { ExpiringCache } from './key-cache.js';
import { freshRandomBytes } from './random.js';

/** The one KMS call the wrapper needs: the client's `send`, so tests can record the requests. */
export interface KmsSender {
  send(command: GenerateDataKeyCommand | DecryptCommand): Promise<{
    Plaintext?: Uint8Array;
    CiphertextBlob?: Uint8Array;
  }>;
}

export interface KmsKeyWrapperOptions {
  /** How long a container seals new streams' keys under one branch key (an hour). */
  branchTtlMs?: number;
  /** How many opened branch keys a container keeps (the oldest are forgotten first). */
  maxBranchKeys?: number;
  now?: () => number;
}

/** Every branch key is asked for, and opened, with this encryption context. */
const BRANCH_CONTEXT = { purpose: 'personal-data-branch-key' };
/** Wrapped key layout: format byte, branch blob length (2 bytes), branch blob, local wrapping. */
const FORMAT = 0x02;

const sdk = () => import('@aws-sdk/client-kms');

interface Branch {
  key: KeyObject;
  blob: Buffer;
}

export class KmsKeyWrapper implements KeyWrapper {
  readonly kind = 'kms';
  private current?: Promise<Branch>;
  private currentUntil = 0;
  /** Opened branch keys by the base64 of their blob; a promise, so concurrent unwraps share one Decrypt. */
  private readonly opened: ExpiringCache<Promise<KeyObject>>;
  private readonly branchTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly keyId: string,
    private kms?: KmsSender,
    options: KmsKeyWrapperOptions = {},
  ) {
    this.branchTtlMs = options.branchTtlMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
    this.opened = new ExpiringCache(options.maxBranchKeys ?? 1_000, this.now);
  }

  async generate(streamId: string): Promise<DataKey> {
    const branch = await this.branch();
    const plaintext = freshRandomBytes(32);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(branch.blob.length);
    const wrapped = Buffer.concat([
      Buffer.of(FORMAT),
      length,
      branch.blob,
      wrapUnder(branch.key, plaintext, streamId),
    ]);
    return { plaintext, wrapped };
  }

  async unwrap(wrapped: Buffer, streamId: string): Promise<Buffer> {
    if (wrapped.length < 3 || wrapped[0] !== FORMAT) throw new Error('unknown wrapped-key format');
    const blobEnd = 3 + wrapped.readUInt16BE(1);
    const branchKey = await this.openBranch(wrapped.subarray(3, blobEnd));
    return unwrapUnder(branchKey, wrapped.subarray(blobEnd), streamId);
  }

  /**
   * The branch key new streams' keys are wrapped under, asked of KMS when there is none or it is
   * old. Checked and replaced synchronously, so concurrent registrations share one request.
   */
  private branch(): Promise<Branch> {
    if (this.current && this.currentUntil > this.now()) return this.current;
    const next = this.newBranch();
    this.current = next;
    this.currentUntil = Number.POSITIVE_INFINITY;
    next.then(
      () => {
        if (this.current === next) this.currentUntil = this.now() + this.branchTtlMs;
      },
      // A refused request is not kept: the next registration asks again.
      () => {
        if (this.current === next) this.current = undefined;
      },
    );
    return next;
  }

  private async newBranch(): Promise<Branch> {
    const { GenerateDataKeyCommand } = await sdk();
    const out = await (
      await this.client()
    ).send(
      new GenerateDataKeyCommand({
        KeyId: this.keyId,
        KeySpec: 'AES_256',
        EncryptionContext: BRANCH_CONTEXT,
      }),
    );
    if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS GenerateDataKey returned no key.');
    const branch = { key: keyObjectOf(out.Plaintext), blob: Buffer.from(out.CiphertextBlob) };
    this.remember(branch.blob, Promise.resolve(branch.key));
    return branch;
  }

  private async openBranch(blob: Buffer): Promise<KeyObject> {
    const id = blob.toString('base64');
    const known = this.opened.get(id);
    if (known) return known;
    const opening = this.decrypt(blob);
    this.remember(blob, opening);
    opening.catch(() => this.opened.delete(id));
    return opening;
  }

  private async decrypt(blob: Buffer): Promise<KeyObject> {
    const { DecryptCommand } = await sdk();
    const out = await (
      await this.client()
    ).send(
      new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: blob, EncryptionContext: BRANCH_CONTEXT }),
    );
    if (!out.Plaintext) throw new Error('KMS Decrypt returned no key.');
    return keyObjectOf(out.Plaintext);
  }

  /** An opened branch key stays until the cache is full (a blob always opens to the same key). */
  private remember(blob: Buffer, key: Promise<KeyObject>): void {
    this.opened.set(blob.toString('base64'), key, Number.POSITIVE_INFINITY);
  }

  private async client(): Promise<KmsSender> {
    if (!this.kms) {
      const { KMSClient } = await sdk();
      this.kms = new KMSClient({}) as unknown as KmsSender;
    }
    return this.kms;
  }
}
