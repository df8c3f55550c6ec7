import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { onFailureDir, readSources } from '../../../plugins/serverless-offline-kafka/config.js';
import type { Naming } from '../../../plugins/serverless-offline-kafka/mapping.js';
import { mappingOf, mskClusterNameToken } from '../../../plugins/serverless-offline-kafka/mapping.js';

/** The Framework's own naming helpers, as `serverless.getProvider('aws').naming` has them. */
const naming = createRequire(import.meta.url)('serverless/lib/plugins/aws/lib/naming.js') as Naming;

const DEPLOYED_MSK = {
  arn: { Ref: 'MskCluster' },
  topic: 'user-events',
  batchSize: 100,
  maximumBatchingWindow: 1,
  startingPosition: 'TRIM_HORIZON',
  consumerGroupId: 'cqrs-projection',
};

/** A serverless.service with one function and these events, resources and extensions. */
function service(events: unknown[], resources: Record<string, unknown> = {}) {
  return {
    service: 'cqrs-es',
    provider: { region: 'eu-west-1' },
    resources,
    getAllFunctions: () => ['projection'],
    getFunction: () => ({ name: 'cqrs-es-local-projection', events }),
  };
}

describe('offline Kafka mapping settings, read where the template deploys them', () => {
  it('the logical id of the deployed projection mapping is the one infra/aws/extensions.yml extends', () => {
    const extensionsYml = readFileSync(path.resolve('infra/aws/extensions.yml'), 'utf8');
    const extended = [...extensionsYml.matchAll(/^ {2}(\w+EventSourceMapping\w+):$/gm)].map((m) => m[1]);
    const mapping = mappingOf({ functionKey: 'projection', event: { msk: DEPLOYED_MSK }, naming });
    expect(extended).toEqual([mapping!.logicalId]);
    expect(mapping!.logicalId).toBe('ProjectionEventSourceMappingMSKMskClusterUserevents');
  });

  it('the MSK cluster part of the id comes from the ARN as the Framework takes it: Ref, import, or the ARN cluster name', () => {
    expect(mskClusterNameToken({ Ref: 'MskCluster' })).toBe('MskCluster');
    expect(mskClusterNameToken({ 'Fn::ImportValue': 'shared-cluster' })).toBe('shared-cluster');
    expect(mskClusterNameToken('arn:aws:kafka:eu-west-1:000000000000:cluster/local/uuid-1')).toBe('local');
  });

  it('a kafka event gets the Framework id of a self-managed mapping', () => {
    const mapping = mappingOf({
      functionKey: 'projection',
      event: { kafka: { topic: 'user-events', bootstrapServers: ['h:9092'], accessConfigurations: {} } },
      naming,
    });
    expect(mapping?.logicalId).toBe(naming.getKafkaEventLogicalId('projection', 'user-events'));
    expect(mappingOf({ functionKey: 'projection', event: { sqs: {} } as never, naming })).toBeUndefined();
  });

  it('extension properties are assigned over the ones generated from the event, as the Framework merges them', () => {
    const id = 'ProjectionEventSourceMappingMSKMskClusterUserevents';
    const mapping = mappingOf({
      functionKey: 'projection',
      event: { msk: DEPLOYED_MSK },
      naming,
      extensions: {
        [id]: { Properties: { MaximumRetryAttempts: 3, BatchSize: 10, BisectBatchOnFunctionError: true } },
      },
    });
    expect(mapping!.properties).toMatchObject({
      EventSourceArn: { Ref: 'MskCluster' },
      Topics: ['user-events'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'cqrs-projection' },
      MaximumRetryAttempts: 3,
      BisectBatchOnFunctionError: true,
    });
  });

  it('given the deployed extension, the projection retries 10 times and sends discarded batches to its SQS queue', () => {
    const { sources, warnings } = readSources(
      service([{ msk: DEPLOYED_MSK }], {
        Resources: { ProjectionFailureQueue: { Type: 'AWS::SQS::Queue' } },
        extensions: {
          ProjectionEventSourceMappingMSKMskClusterUserevents: {
            Properties: {
              DestinationConfig: {
                OnFailure: { Destination: { 'Fn::GetAtt': ['ProjectionFailureQueue', 'Arn'] } },
              },
            },
          },
        },
      }),
      { naming },
    );
    expect(warnings).toEqual([]);
    expect(sources).toEqual([
      {
        functionKey: 'projection',
        functionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:cqrs-es-local-projection',
        eventSource: 'aws:kafka',
        eventSourceArn: 'arn:aws:kafka:eu-west-1:000000000000:cluster/MskCluster/offline',
        topic: 'user-events',
        groupId: 'cqrs-projection',
        batchSize: 100,
        batchingWindowMs: 1000,
        fromBeginning: true,
        enabled: true,
        policy: {
          maximumRetryAttempts: 10,
          retryCapped: true,
          maximumRecordAgeSeconds: -1,
          bisect: false,
          destination: { kind: 'sqs', label: 'SQS queue ProjectionFailureQueue' },
        },
      },
    ]);
  });

  it("given the deployed mapping's extension, the local stage's one mapping of the function follows it whatever its cluster and topic are named", () => {
    const local = {
      ...DEPLOYED_MSK,
      arn: 'arn:aws:kafka:eu-west-1:000000000000:cluster/local/x-1',
      topic: 't-1',
    };
    const { sources, warnings } = readSources(
      service([{ msk: local }], {
        extensions: {
          ProjectionEventSourceMappingMSKMskClusterUserevents: { Properties: { MaximumRetryAttempts: 1 } },
          HttpApiStage: { Properties: {} },
        },
      }),
      { naming },
    );
    expect(sources[0]!.policy.maximumRetryAttempts).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('given a function with two Kafka events, an extension that names neither does not apply, with a warning', () => {
    const local = {
      ...DEPLOYED_MSK,
      arn: 'arn:aws:kafka:eu-west-1:000000000000:cluster/local/x-1',
      topic: 't-1',
    };
    const { sources, warnings } = readSources(
      service([{ msk: local }, { msk: { ...local, topic: 't-2' } }], {
        extensions: {
          ProjectionEventSourceMappingMSKMskClusterUserevents: { Properties: { MaximumRetryAttempts: 1 } },
        },
      }),
      { naming },
    );
    expect(sources.map((s) => s.policy.maximumRetryAttempts)).toEqual([-1, -1]);
    expect(warnings).toEqual([
      'offline-kafka: resources.extensions.ProjectionEventSourceMappingMSKMskClusterUserevents extends no mapping ' +
        "of this stage (projection's here: ProjectionEventSourceMappingMSKLocalT1, ProjectionEventSourceMappingMSKLocalT2); " +
        'its properties do not apply locally',
    ]);
  });

  it('given a value outside AWS ranges in the extension, start-up fails naming the function, the mapping and the property', () => {
    const id = 'ProjectionEventSourceMappingMSKMskClusterUserevents';
    expect(() =>
      readSources(
        service([{ msk: DEPLOYED_MSK }], {
          extensions: { [id]: { Properties: { MaximumRecordAgeInSeconds: 30 } } },
        }),
        { naming },
      ),
    ).toThrow(
      `offline-kafka: projection (${id}): MaximumRecordAgeInSeconds must be -1 (infinite) or an integer`,
    );
  });

  it('given the event settings a local stage uses, they keep their meaning: window 0, LATEST, disabled, the default group', () => {
    const { sources } = readSources(
      service([
        {
          msk: {
            arn: 'arn:aws:kafka:eu-west-1:000000000000:cluster/local/x-1',
            topic: 't',
            maximumBatchingWindow: 0,
            startingPosition: 'LATEST',
            enabled: false,
          },
        },
      ]),
      { naming },
    );
    expect(sources[0]).toMatchObject({
      eventSourceArn: 'arn:aws:kafka:eu-west-1:000000000000:cluster/local/x-1',
      batchSize: 100,
      batchingWindowMs: 0,
      fromBeginning: false,
      enabled: false,
      groupId: 'cqrs-es-projection',
    });
  });

  it('given a kafka event with onFailureDestination, that is its destination; settings it does not emulate are warned about', () => {
    const { sources, warnings } = readSources(
      service([
        {
          kafka: {
            topic: 't',
            bootstrapServers: ['h:9092'],
            accessConfigurations: {},
            onFailureDestination: 'kafka://t-failed',
            consumerGroupId: 'g',
            filterPatterns: [{ value: { a: [1] } }],
          },
        },
      ]),
      { naming },
    );
    expect(sources[0]).toMatchObject({
      eventSource: 'SelfManagedKafka',
      eventSourceArn: undefined,
      groupId: 'g',
      policy: { maximumRetryAttempts: 10, destination: { kind: 'kafka', topic: 't-failed' } },
    });
    expect(warnings).toEqual([
      'offline-kafka: projection (ProjectionEventSourceMappingKafkaT): FilterCriteria is not emulated: ' +
        'every record is delivered, filtered or not',
    ]);
  });

  it('invocation records go to <stateDir>/offline-kafka/on-failure, stateDir relative to the service directory', () => {
    expect(onFailureDir({}, '/srv/app')).toBe('/srv/app/.local/offline-kafka/on-failure');
    expect(onFailureDir({ stateDir: '/tmp/state' }, '/srv/app')).toBe('/tmp/state/offline-kafka/on-failure');
    // CQRS_STATE_DIR set but empty means the default, as for the rest of the stack.
    expect(onFailureDir({ stateDir: '' }, '/srv/app')).toBe('/srv/app/.local/offline-kafka/on-failure');
  });
});
