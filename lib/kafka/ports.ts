/**
 * What the project asks of Kafka, in its own terms: a producer, a consumer and an admin with
 * only the operations its callers use. lib/kafka/client.ts is the one module that knows the
 * client library and adapts it to these, so the library can be swapped there alone.
 */

/** A record to write. Timestamps are milliseconds since the epoch, as text. */
export interface OutgoingRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
  /** The record's create time; the broker's clock when absent. */
  timestamp?: string;
}

export interface OutgoingBatch {
  topic: string;
  messages: OutgoingRecord[];
  /** How long the broker may wait for the in-sync replicas, in milliseconds. */
  timeout?: number;
}

/** Where a sent batch landed on one partition. */
export interface ProducedRecord {
  partition: number;
  /** The offset of the batch's first record on that partition. */
  baseOffset?: string;
}

export interface KafkaProducer {
  connect(): Promise<void>;
  /** Resolves once every in-sync replica has the records (acks=all). */
  send(batch: OutgoingBatch): Promise<ProducedRecord[]>;
  disconnect(): Promise<void>;
}

/** Header values as they arrive: bytes, or several values for a header repeated on a record. */
export type IncomingHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** A consumed record. Offsets and timestamps (milliseconds since the epoch) are text. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IncomingHeaders;
}

export interface ConsumerOptions {
  groupId: string;
}

export interface KafkaConsumer {
  connect(): Promise<void>;
  subscribe(subscription: { topic: string; fromBeginning: boolean }): Promise<void>;
  /**
   * Starts consuming in the background and resolves once started; offsets are committed
   * automatically after each handled message.
   */
  run(handler: { eachMessage: (message: IncomingMessage) => Promise<void> }): Promise<void>;
  disconnect(): Promise<void>;
}

/** A partition's earliest (`low`) and next-to-be-written (`high`) offsets. */
export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

/** A consumer group's committed offset of a partition: "-1" before any commit. */
export interface CommittedOffset {
  partition: number;
  offset: string;
}

export interface TopicInfo {
  topic: string;
  partitions: number;
}

export interface NewTopic {
  topic: string;
  partitions: number;
  replicationFactor: number;
}

export interface GroupDescription {
  groupId: string;
  /** The broker's state of the group: Empty, Stable, PreparingRebalance, Dead, … */
  state: string;
}

export interface KafkaAdmin {
  connect(): Promise<void>;
  /** Resolves when the cluster answered a request for its description. */
  ping(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Each topic's partition count. */
  describeTopics(topics: string[]): Promise<TopicInfo[]>;
  /** Creates the topics and waits until each partition has a leader. */
  createTopics(topics: NewTopic[]): Promise<void>;
  /** Raises the topic's partition count to `count`. */
  createPartitions(topic: string, count: number): Promise<void>;
  deleteTopics(topics: string[]): Promise<void>;
  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]>;
  fetchCommittedOffsets(groupId: string, topic: string): Promise<CommittedOffset[]>;
  /** Moves the group's offsets on the topic back to the earliest; the group must have no members. */
  resetOffsetsToEarliest(groupId: string, topic: string): Promise<void>;
  describeGroups(groupIds: string[]): Promise<GroupDescription[]>;
  deleteGroups(groupIds: string[]): Promise<void>;
  disconnect(): Promise<void>;
}
