import {
  RETRY_CAP_WITH_DESTINATION,
  describePolicy,
  failurePolicy,
} from '../../../plugins/serverless-offline-kafka/policy.js';

const NO_VALUE = { Ref: 'AWS::NoValue' };
const QUEUE = 'arn:aws:sqs:eu-west-1:123456789012:failures';
const resources = {
  FailureQueue: { Type: 'AWS::SQS::Queue' },
  FailureTopic: { Type: 'AWS::SNS::Topic' },
  FailureBucket: { Type: 'AWS::S3::Bucket' },
  Cluster: { Type: 'AWS::MSK::Cluster' },
};
const onFailure = (Destination: unknown) => ({ DestinationConfig: { OnFailure: { Destination } } });

describe('event source mapping failure policy', () => {
  it('given no properties, it is AWS default: retries forever, records never expire, no bisect, no destination', () => {
    expect(failurePolicy({})).toEqual({
      maximumRetryAttempts: -1,
      retryCapped: false,
      maximumRecordAgeSeconds: -1,
      bisect: false,
      destination: undefined,
    });
  });

  it('given every property as AWS::NoValue, each is absent and takes its default', () => {
    expect(
      failurePolicy({
        MaximumRetryAttempts: NO_VALUE,
        MaximumRecordAgeInSeconds: NO_VALUE,
        BisectBatchOnFunctionError: NO_VALUE,
        DestinationConfig: NO_VALUE,
        ProvisionedPollerConfig: NO_VALUE,
        MetricsConfig: NO_VALUE,
      }),
    ).toEqual(failurePolicy({}));
    expect(failurePolicy({ DestinationConfig: { OnFailure: NO_VALUE } }).destination).toBeUndefined();
    expect(failurePolicy(onFailure(NO_VALUE)).destination).toBeUndefined();
  });

  it('given an empty destination, there is none (the API removes a destination that way)', () => {
    expect(failurePolicy(onFailure('')).destination).toBeUndefined();
  });

  it('given set values, it takes them, numbers and booleans written as strings too', () => {
    expect(
      failurePolicy({
        MaximumRetryAttempts: 3,
        MaximumRecordAgeInSeconds: '60',
        BisectBatchOnFunctionError: 'true',
      }),
    ).toMatchObject({ maximumRetryAttempts: 3, maximumRecordAgeSeconds: 60, bisect: true });
    expect(failurePolicy({ MaximumRetryAttempts: '0' }).maximumRetryAttempts).toBe(0);
  });

  it('given infinite retries and an on-failure destination, Lambda applies at most 10 retries', () => {
    for (const retries of [undefined, -1, '-1', NO_VALUE]) {
      const policy = failurePolicy({ MaximumRetryAttempts: retries, ...onFailure(QUEUE) });
      expect(policy).toMatchObject({ maximumRetryAttempts: RETRY_CAP_WITH_DESTINATION, retryCapped: true });
    }
    expect(RETRY_CAP_WITH_DESTINATION).toBe(10);
  });

  it('given finite retries and a destination, the cap does not apply', () => {
    expect(failurePolicy({ MaximumRetryAttempts: 500, ...onFailure(QUEUE) })).toMatchObject({
      maximumRetryAttempts: 500,
      retryCapped: false,
    });
  });

  it.each([
    [
      { MaximumRetryAttempts: -2 },
      /^MaximumRetryAttempts must be an integer from -1 \(infinite\) to 10000, got -2$/,
    ],
    [{ MaximumRetryAttempts: 10001 }, /^MaximumRetryAttempts .* got 10001$/],
    [{ MaximumRetryAttempts: 1.5 }, /^MaximumRetryAttempts .* got 1.5$/],
    [{ MaximumRetryAttempts: 'ten' }, /^MaximumRetryAttempts .* got "ten"$/],
    [
      { MaximumRecordAgeInSeconds: 59 },
      /^MaximumRecordAgeInSeconds must be -1 \(infinite\) or an integer from 60 to 604800, got 59$/,
    ],
    [{ MaximumRecordAgeInSeconds: 0 }, /^MaximumRecordAgeInSeconds .* got 0$/],
    [{ MaximumRecordAgeInSeconds: 604801 }, /^MaximumRecordAgeInSeconds .* got 604801$/],
    [{ BisectBatchOnFunctionError: 'yes' }, /^BisectBatchOnFunctionError must be true or false, got "yes"$/],
    [{ DestinationConfig: 'x' }, /^DestinationConfig must be an object/],
    [{ DestinationConfig: { OnSuccess: {} } }, /^DestinationConfig has no property OnSuccess/],
    [
      onFailure('sqs-queue'),
      /^DestinationConfig.OnFailure.Destination must be an ARN or kafka:\/\/<topic>, got "sqs-queue"$/,
    ],
    [onFailure('kafka://.hidden'), /^DestinationConfig.OnFailure.Destination must be an ARN or kafka/],
    [
      onFailure('arn:aws:lambda:eu-west-1:123456789012:function:f'),
      /must be an SQS queue, an SNS topic, an S3 bucket or kafka:\/\/<topic>, got arn:aws:lambda/,
    ],
    [
      { ProvisionedPollerConfig: { MinimumPollers: 0 } },
      /^ProvisionedPollerConfig.MinimumPollers must be an integer from 1 to 200, got 0$/,
    ],
    [
      { ProvisionedPollerConfig: { MaximumPollers: 2001 } },
      /^ProvisionedPollerConfig.MaximumPollers .* got 2001$/,
    ],
    [
      { ProvisionedPollerConfig: { MinimumPollers: 5, MaximumPollers: 2 } },
      /MinimumPollers \(5\) is above MaximumPollers \(2\)/,
    ],
    [{ MetricsConfig: { Metrics: 'EventCount' } }, /^MetricsConfig.Metrics must be a list/],
  ])('given a value outside AWS ranges (%j), it is refused, naming the property', (properties, message) => {
    expect(() => failurePolicy(properties)).toThrow(message);
  });

  it('given AWS edge values, they are accepted', () => {
    expect(() =>
      failurePolicy({ MaximumRetryAttempts: 10000, MaximumRecordAgeInSeconds: 604800 }),
    ).not.toThrow();
    expect(() =>
      failurePolicy({
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 },
        MetricsConfig: { Metrics: ['EventCount'] },
      }),
    ).not.toThrow();
  });

  it('given a kafka:// destination, the records go to that topic; it may not be the source topic', () => {
    expect(
      failurePolicy(onFailure('kafka://failed-records'), { sourceTopics: ['user-events'] }).destination,
    ).toEqual({
      kind: 'kafka',
      topic: 'failed-records',
      label: 'kafka://failed-records',
    });
    expect(() => failurePolicy(onFailure('kafka://user-events'), { sourceTopics: ['user-events'] })).toThrow(
      /Destination kafka:\/\/user-events is the mapping's own topic/,
    );
  });

  it('given an ARN, the destination kind is its service', () => {
    expect(failurePolicy(onFailure(QUEUE)).destination).toEqual({ kind: 'sqs', label: QUEUE });
    expect(failurePolicy(onFailure('arn:aws:sns:eu-west-1:123456789012:t')).destination?.kind).toBe('sns');
    expect(failurePolicy(onFailure('arn:aws:s3:::failed-batches')).destination?.kind).toBe('s3');
  });

  it('given Fn::GetAtt or Ref of a resource of the template, the destination kind is that resource type', () => {
    expect(
      failurePolicy(onFailure({ 'Fn::GetAtt': ['FailureQueue', 'Arn'] }), { resources }).destination,
    ).toEqual({
      kind: 'sqs',
      label: 'SQS queue FailureQueue',
    });
    expect(
      failurePolicy(onFailure({ 'Fn::GetAtt': 'FailureBucket.Arn' }), { resources }).destination?.kind,
    ).toBe('s3');
    expect(failurePolicy(onFailure({ Ref: 'FailureTopic' }), { resources }).destination?.kind).toBe('sns');
  });

  it('given a reference that is no destination ARN, it is refused as AWS would', () => {
    expect(() => failurePolicy(onFailure({ Ref: 'FailureQueue' }), { resources })).toThrow(
      /is not the ARN of FailureQueue; use Fn::GetAtt FailureQueue.Arn/,
    );
    expect(() => failurePolicy(onFailure({ 'Fn::GetAtt': ['Cluster', 'Arn'] }), { resources })).toThrow(
      /Cluster is AWS::MSK::Cluster/,
    );
    expect(() => failurePolicy(onFailure({ 'Fn::GetAtt': ['Missing', 'Arn'] }), { resources })).toThrow(
      /Missing is not one of its resources/,
    );
  });

  it('given an ARN built with Fn::Sub or Fn::Join, the kind is the service it names; an import is unresolved', () => {
    const sub = { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:failures' };
    expect(failurePolicy(onFailure(sub)).destination?.kind).toBe('sqs');
    const join = { 'Fn::Join': ['', ['arn:aws:sns:', { Ref: 'AWS::Region' }, ':123456789012:t']] };
    expect(failurePolicy(onFailure(join)).destination?.kind).toBe('sns');
    expect(failurePolicy(onFailure({ 'Fn::ImportValue': 'shared-dlq' })).destination?.kind).toBe(
      'unresolved',
    );
  });

  it('describes a policy in one line for the start-up log', () => {
    expect(describePolicy(failurePolicy({}))).toBe(
      'retries forever, records never expire, no bisect, no on-failure destination',
    );
    expect(
      describePolicy(
        failurePolicy({
          MaximumRecordAgeInSeconds: 3600,
          BisectBatchOnFunctionError: true,
          ...onFailure(QUEUE),
        }),
        { file: '.local/offline-kafka/on-failure/projection.jsonl' },
      ),
    ).toBe(
      'retries 10 times (infinite, capped because of the on-failure destination), records expire after 3600s, ' +
        `bisects a failing batch, on-failure destination ${QUEUE} ` +
        '(invocation records to .local/offline-kafka/on-failure/projection.jsonl)',
    );
    expect(describePolicy(failurePolicy({ MaximumRetryAttempts: 0, ...onFailure('kafka://dlt') }))).toBe(
      'no retries, records never expire, no bisect, on-failure destination kafka://dlt',
    );
    expect(describePolicy(failurePolicy({ MaximumRetryAttempts: 1 }))).toMatch(/^retries once,/);
  });
});
