/**
 * The deployable stage, checked without an AWS account: `sls package --stage prod` with no
 * credentials, then the generated CloudFormation is read back. Each function runs Node 24 on arm64
 * in the private subnets with its own role, security group, secret and nothing else; the MSK event
 * source and its failure policy; the HTTP API's routes, IAM authorizer and throttling; IAM
 * statements per function with no wildcard action; the network and database rules; cfn-lint
 * against the CloudFormation resource specification; each bundle within its size budget.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { readKafkaConfig } from '../../lib/config.js';
import { STRICT_SQL_MODE } from '../../lib/db/pool.js';
import { ROOT } from '../../infra/paths.js';
import { packageAws, type AwsPackage, type CfnResource } from '../support/aws-package.js';

const run = promisify(execFile);

let pkg: AwsPackage;
let resources: Record<string, CfnResource>;

beforeAll(async () => {
  pkg = await packageAws();
  resources = pkg.resources;
}, 180000);

afterAll(() => pkg?.remove());

const FUNCTIONS = [
  'command',
  'query',
  'projection',
  'relay',
  'provision',
  'admin',
  'ops',
  'janitor',
] as const;
type Fn = (typeof FUNCTIONS)[number];
const cap = (fn: string) => fn[0]!.toUpperCase() + fn.slice(1);

/** The database secret each function may read (provision reads them all to create the users). */
const OWN_SECRET: Record<Exclude<Fn, 'provision'>, string> = {
  command: 'CommandDbSecret',
  query: 'QueryDbSecret',
  projection: 'ProjectionDbSecret',
  relay: 'RelayDbSecret',
  admin: 'OperatorDbSecret',
  ops: 'OpsDbSecret',
  janitor: 'JanitorDbSecret',
};

/** Minified bundle budgets, source map excluded. The Kafka producers carry kafkajs (see docs/deploy.md). */
// The HTTP functions and the projection carry the OpenTelemetry API and trace SDK (about 45 KiB).
const BUDGET_KIB: Record<Fn, number> = {
  // The query, projection and command functions carry the SigV4 signing of their trace export
  // (17 KiB, loaded on the first export: docs/deploy.md#traces).
  query: 500,
  projection: 520,
  admin: 500,
  command: 800,
  relay: 760,
  // Provision reads the aggregates' table names and migration folders from the registry, so it
  // bundles their definitions (and zod); it runs once per deploy, where a cold start costs nothing.
  provision: 760,
  ops: 760,
  janitor: 420,
};

const fnResource = (fn: string) => resources[`${cap(fn)}LambdaFunction`]!;
const props = (r: CfnResource) => r.Properties as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

function statements(role: string): Statement[] {
  const policies = (props(resources[role]!).Policies ?? []) as Array<{
    PolicyDocument: { Statement: Statement[] };
  }>;
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const allActions = (role: string) => statements(role).flatMap(actions).sort();
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const statementWith = (role: string, action: string) =>
  statements(role).find((s) => actions(s).includes(action));

describe('deployable stage (sls package --stage prod, no AWS credentials)', () => {
  test('packages one zip per function', () => {
    expect([...pkg.functions].sort()).toEqual([...FUNCTIONS].sort());
  });

  test('the browser console is local only: no console function, no /console route in the deployed stage', () => {
    expect(pkg.functions).not.toContain('console');
    expect(resources.ConsoleLambdaFunction).toBeUndefined();
    const routes = Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => String(props(r).RouteKey));
    expect(routes.filter((route) => route.includes('/console'))).toEqual([]);
  });

  test.each(FUNCTIONS)(
    '%s runs Node 24 on arm64 in both private subnets with its own role and security group',
    (fn) => {
      const p = props(fnResource(fn));
      expect(p.Runtime).toBe('nodejs24.x');
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.Handler).toBe(`functions/${fn}/handler.handler`);
      expect(p.VpcConfig.SubnetIds).toEqual([{ Ref: 'PrivateSubnetA' }, { Ref: 'PrivateSubnetB' }]);
      expect(p.VpcConfig.SecurityGroupIds).toEqual([{ Ref: `${cap(fn)}SecurityGroup` }]);
      expect(p.Role).toEqual({ 'Fn::GetAtt': [`${cap(fn)}Role`, 'Arn'] });
      expect(resources[`${cap(fn)}LogGroup`]?.Properties.RetentionInDays).toBe(30);
    },
  );

  test.each(FUNCTIONS)(
    '%s gets the AWS settings: no local defaults, TLS to the proxy, its own secret and no password',
    (fn) => {
      const env = props(fnResource(fn)).Environment.Variables as Record<string, unknown>;
      expect(env).toMatchObject({
        CQRS_ENV: 'aws',
        COMMANDS_DB: 'commands',
        QUERIES_DB: 'queries',
        MARIADB_HOST: { 'Fn::GetAtt': ['DatabaseProxy', 'Endpoint'] },
        MARIADB_TLS: 'true',
        KAFKA_TOPIC: 'user-events',
      });
      expect(Object.keys(env).filter((name) => /PASSWORD/.test(name))).toEqual([]);
      const secrets = Object.entries(env).filter(([name]) => name.endsWith('_SECRET_ARN'));
      if (fn === 'provision') {
        expect(secrets.map(([, value]) => value)).toHaveLength(8);
      } else {
        expect(secrets).toEqual([[expect.stringMatching(/_DB_SECRET_ARN$/), { Ref: OWN_SECRET[fn] }]]);
      }
      const usesKafka = fn === 'command' || fn === 'relay' || fn === 'provision' || fn === 'ops';
      expect(env.MSK_CLUSTER_ARN).toEqual(usesKafka ? { Ref: 'MskCluster' } : undefined);
    },
  );

  test.each(['command', 'relay', 'provision', 'ops'])(
    '%s has every variable its Kafka settings require in AWS',
    (fn) => {
      const env = props(fnResource(fn)).Environment.Variables as Record<string, unknown>;
      // CloudFormation references resolve to strings once deployed; an ARN stands in for each.
      const deployed = Object.fromEntries(
        Object.entries(env).map(([name, value]) => [
          name,
          typeof value === 'string' ? value : 'arn:aws:kafka:eu-west-1:000000000000:cluster/cqrs/resolved',
        ]),
      );
      expect(readKafkaConfig(deployed)).toMatchObject({
        topic: 'user-events',
        consumerGroup: 'cqrs-projection',
      });
    },
  );

  test('reserved concurrency bounds the database connections: relay, provision and admin one at a time', () => {
    const reserved = Object.fromEntries(
      FUNCTIONS.map((fn) => [fn, props(fnResource(fn)).ReservedConcurrentExecutions]),
    );
    expect(reserved).toEqual({
      command: 10,
      query: 20,
      projection: 3,
      relay: 1,
      provision: 1,
      admin: 1,
      ops: 2,
      janitor: 1,
    });
  });

  test('the projection consumes the topic from MSK and its mapping can never skip a batch: infinite retries, no age limit, no bisect, no on-failure destination, set explicitly in provisioned mode', () => {
    const mappings = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties).toEqual({
      EventSourceArn: { Ref: 'MskCluster' },
      FunctionName: { 'Fn::GetAtt': ['ProjectionLambdaFunction', 'Arn'] },
      Topics: ['user-events'],
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      StartingPosition: 'TRIM_HORIZON',
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'cqrs-projection' },
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: -1,
      BisectBatchOnFunctionError: false,
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 },
      MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
    });
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::SQS::Queue')).toEqual([]);
  });

  test('with projectionEventSourceMode on-demand the mapping has no pollers to pay for and Lambda defaults, the same policy; with transactionSearch existing the stack leaves Transaction Search alone', async () => {
    const onDemand = await packageAws([
      '--param=projectionEventSourceMode=on-demand',
      '--param=transactionSearch=existing',
    ]);
    try {
      const types = Object.values(onDemand.resources).map((r) => r.Type);
      expect(types).not.toContain('AWS::XRay::TransactionSearchConfig');
      expect(types).not.toContain('AWS::Logs::ResourcePolicy');
      const [mapping] = Object.values(onDemand.resources).filter(
        (r) => r.Type === 'AWS::Lambda::EventSourceMapping',
      );
      for (const name of [
        'ProvisionedPollerConfig',
        'MetricsConfig',
        'DestinationConfig',
        'MaximumRetryAttempts',
        'MaximumRecordAgeInSeconds',
        'BisectBatchOnFunctionError',
      ]) {
        expect([name, mapping!.Properties[name]]).toEqual([name, undefined]);
      }
    } finally {
      await onDemand.remove();
    }
  }, 180000);

  test('MSK runs the major.minor of the local broker (infra/kafka/pom.xml)', async () => {
    const pom = await readFile(path.join(ROOT, 'infra', 'kafka', 'pom.xml'), 'utf8');
    const local = /<kafka\.version>(\d+\.\d+)\.\d+<\/kafka\.version>/.exec(pom)?.[1];
    expect(local).toBeDefined();
    expect(props(resources.MskCluster!).KafkaVersion).toMatch(
      new RegExp(`^${local!.replace('.', '\\.')}\\.x(\\.kraft)?$`),
    );
  });

  test('the database server runs the strict SQL mode every connection sets', () => {
    expect(props(resources.DatabaseParameters!).Parameters.sql_mode).toBe(STRICT_SQL_MODE);
  });

  test('the relay runs every minute and the janitor every hour', () => {
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
    const schedules = Object.fromEntries(
      rules.map((r) => [
        /(\w+)LambdaFunction/.exec(JSON.stringify(props(r).Targets[0].Arn))![1],
        props(r).ScheduleExpression,
      ]),
    );
    expect(schedules).toEqual({ Relay: 'rate(1 minute)', Janitor: 'rate(1 hour)' });
  });

  test('HTTP API: command routes need IAM (SigV4), query routes are open, every route is throttled', () => {
    const routes = Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => ({
        route: props(r).RouteKey,
        auth: props(r).AuthorizationType ?? 'NONE',
        target: /HttpApiIntegration(Command|Query|Ops)/
          .exec(JSON.stringify(props(r).Target))![1]!
          .toLowerCase(),
      }))
      .sort((a, b) => a.route.localeCompare(b.route));
    expect(routes).toEqual([
      { route: 'DELETE /{collection}/{id}', auth: 'AWS_IAM', target: 'command' },
      { route: 'GET /{collection}', auth: 'NONE', target: 'query' },
      { route: 'GET /{collection}/{id}', auth: 'NONE', target: 'query' },
      { route: 'GET /health', auth: 'AWS_IAM', target: 'ops' },
      { route: 'GET /openapi.json', auth: 'NONE', target: 'ops' },
      { route: 'PATCH /{collection}/{id}', auth: 'AWS_IAM', target: 'command' },
      { route: 'POST /{collection}', auth: 'AWS_IAM', target: 'command' },
      { route: 'POST /{collection}/{id}/{action}', auth: 'AWS_IAM', target: 'command' },
      { route: 'PUT /{collection}/{id}/{action}', auth: 'AWS_IAM', target: 'command' },
    ]);
    expect(props(resources.HttpApiStage!).DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: 100,
      ThrottlingRateLimit: 50,
    });
  });

  const ROLES = Object.keys(OWN_SECRET)
    .concat('provision')
    .map((fn) => `${cap(fn)}Role`);

  test.each(ROLES)(
    '%s: inline statements only, no wildcard action, "*" only for network interfaces and trace export',
    (role) => {
      expect(props(resources[role]!).ManagedPolicyArns).toBeUndefined();
      for (const s of statements(role)) {
        expect(s.Effect).toBe('Allow');
        for (const action of actions(s)) expect(action).not.toContain('*');
        if (resourcesOf(s).includes('*')) {
          expect(
            actions(s).every(
              (a) =>
                /^ec2:(\w+NetworkInterfaces?|Describe\w+|\w+PrivateIpAddresses)$/.test(a) ||
                /^xray:PutSpans(ForIndexing)?$/.test(a),
            ),
          ).toBe(true);
        }
      }
    },
  );

  test.each(Object.entries(OWN_SECRET))('the %s function reads only its own secret', (fn, secret) => {
    const reads = statements(`${cap(fn)}Role`).filter((s) =>
      actions(s).includes('secretsmanager:GetSecretValue'),
    );
    expect(reads.flatMap(resourcesOf)).toEqual([{ Ref: secret }]);
  });

  test('command and relay: connect, write and describe their own topic; nothing else on Kafka', () => {
    for (const role of ['CommandRole', 'RelayRole']) {
      expect(allActions(role).filter((a) => a.startsWith('kafka'))).toEqual([
        'kafka-cluster:Connect',
        'kafka-cluster:DescribeTopic',
        'kafka-cluster:WriteData',
        'kafka:GetBootstrapBrokers',
      ]);
      const topic = JSON.stringify(statementWith(role, 'kafka-cluster:WriteData')!.Resource);
      expect(topic).toContain(':topic/${ClusterName}/${ClusterUuid}/user-events');
      expect(statementWith(role, 'kafka-cluster:Connect')!.Resource).toEqual({ Ref: 'MskCluster' });
    }
  });

  test('projection: only what its event source mapping needs, reading its own topic in its own group', () => {
    expect(allActions('ProjectionRole').filter((a) => a.startsWith('kafka'))).toEqual([
      'kafka-cluster:AlterGroup',
      'kafka-cluster:Connect',
      'kafka-cluster:DescribeClusterDynamicConfiguration',
      'kafka-cluster:DescribeGroup',
      'kafka-cluster:DescribeTopic',
      'kafka-cluster:ReadData',
      'kafka:DescribeClusterV2',
      'kafka:GetBootstrapBrokers',
    ]);
    expect(JSON.stringify(statementWith('ProjectionRole', 'kafka-cluster:ReadData')!.Resource)).toContain(
      '/user-events',
    );
    expect(JSON.stringify(statementWith('ProjectionRole', 'kafka-cluster:AlterGroup')!.Resource)).toContain(
      ':group/${ClusterName}/${ClusterUuid}/cqrs-projection',
    );
    expect(allActions('ProjectionRole').filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });

  test('ops: its own secret, and describes the topic and the projection group, nothing else on Kafka', () => {
    expect(allActions('OpsRole').filter((a) => a.startsWith('kafka'))).toEqual([
      'kafka-cluster:Connect',
      'kafka-cluster:DescribeGroup',
      'kafka-cluster:DescribeTopic',
      'kafka:GetBootstrapBrokers',
    ]);
    expect(JSON.stringify(statementWith('OpsRole', 'kafka-cluster:DescribeGroup')!.Resource)).toContain(
      'group/${ClusterName}/${ClusterUuid}/cqrs-projection',
    );
  });

  test('query and janitor: logs, network interfaces and their secret, nothing more (query also exports its spans)', () => {
    for (const role of ['QueryRole', 'JanitorRole']) {
      expect(allActions(role).filter((a) => !a.startsWith('ec2:') && !a.startsWith('xray:'))).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
      ]);
    }
  });

  const TRACED = ['command', 'query', 'projection'];

  test.each(FUNCTIONS)(
    '%s exports its spans to CloudWatch OTLP traces endpoint (X-Ray), signed by its own role, if it makes spans',
    (fn) => {
      const env = props(fnResource(fn)).Environment.Variables as Record<string, unknown>;
      const exporting = statements(`${cap(fn)}Role`).filter((s) =>
        actions(s).some((a) => a.startsWith('xray:')),
      );
      if (TRACED.includes(fn)) {
        expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toEqual({
          'Fn::Sub': 'https://xray.${AWS::Region}.amazonaws.com',
        });
        expect(exporting.flatMap(actions).sort()).toEqual(['xray:PutSpans', 'xray:PutSpansForIndexing']);
      } else {
        expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
        expect(exporting).toEqual([]);
      }
    },
  );

  test('Transaction Search, which the OTLP traces endpoint needs, is turned on by the stack (transactionSearch: create)', () => {
    expect(resources.TransactionSearch).toMatchObject({
      Type: 'AWS::XRay::TransactionSearchConfig',
      DependsOn: ['TransactionSearchLogsPolicy'],
      Properties: { IndexingPercentage: 1 },
    });
    const policy = resources.TransactionSearchLogsPolicy!;
    expect(policy.Type).toBe('AWS::Logs::ResourcePolicy');
    const document = JSON.stringify(props(policy).PolicyDocument);
    expect(document).toContain('xray.amazonaws.com');
    expect(document).toContain('log-group:aws/spans:*');
  });

  test('admin: logs, network interfaces, its secret, and the personal-data key (rebuild, redrive, encrypt-history)', () => {
    expect(allActions('AdminRole').filter((a) => !a.startsWith('ec2:'))).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
    ]);
  });

  test('only the functions that read or write plaintext personal data may use the personal-data KMS key', () => {
    const kmsActions = Object.fromEntries(
      FUNCTIONS.map((fn) => [fn, allActions(`${cap(fn)}Role`).filter((a) => a.startsWith('kms:'))]),
    );
    expect(kmsActions).toEqual({
      ...Object.fromEntries(FUNCTIONS.map((fn) => [fn, []])),
      command: ['kms:Decrypt', 'kms:GenerateDataKey'],
      projection: ['kms:Decrypt'],
      admin: ['kms:Decrypt', 'kms:GenerateDataKey'],
    });
    for (const fn of ['command', 'projection', 'admin']) {
      const statement = statementWith(`${cap(fn)}Role`, 'kms:Decrypt')!;
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': ['PersonalDataKey', 'Arn'] });
      expect(props(fnResource(fn)).Environment.Variables.PERSONAL_DATA_KMS_KEY_ID).toEqual({
        'Fn::GetAtt': ['PersonalDataKey', 'Arn'],
      });
    }
    expect(props(resources.PersonalDataKey!)).toMatchObject({
      EnableKeyRotation: true,
      KeySpec: 'SYMMETRIC_DEFAULT',
    });
  });

  test('the database is private, encrypted and reached only through the TLS-only proxy', () => {
    expect(props(resources.Database!)).toMatchObject({
      Engine: 'mariadb',
      PubliclyAccessible: false,
      StorageEncrypted: true,
      ManageMasterUserPassword: true,
      DeletionProtection: true,
    });
    expect(props(resources.DatabaseProxy!)).toMatchObject({ EngineFamily: 'MYSQL', RequireTLS: true });
    const intoDatabase = Object.values(resources).filter(
      (r) => r.Type === 'AWS::EC2::SecurityGroupIngress' && props(r).GroupId.Ref === 'DatabaseSecurityGroup',
    );
    expect(intoDatabase.map((r) => props(r).SourceSecurityGroupId)).toEqual([{ Ref: 'ProxySecurityGroup' }]);
  });

  test('alarms watch the projection, the API, the outbox, dead letters, parked events and the proxy, and notify the alarm topic', () => {
    const alarms = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
    const watched = Object.fromEntries(
      alarms.map(([name, r]) => {
        const p = props(r);
        type Query = { MetricStat?: { Metric: { Namespace: string; MetricName: string } } };
        const metrics = p.MetricName
          ? [`${p.Namespace}/${p.MetricName}`]
          : (p.Metrics as Query[]).flatMap((m) =>
              m.MetricStat ? [`${m.MetricStat.Metric.Namespace}/${m.MetricStat.Metric.MetricName}`] : [],
            );
        expect(p.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
        return [name, metrics];
      }),
    );
    expect(watched).toEqual({
      ProjectionOffsetLagAlarm: ['AWS/Lambda/OffsetLag'],
      ProjectionErrorsAlarm: ['AWS/Lambda/Errors'],
      Http5xxRateAlarm: ['AWS/ApiGateway/5xx', 'AWS/ApiGateway/Count'],
      OutboxAgeAlarm: ['CqrsEs/OutboxOldestAgeMs'],
      DeadLettersAlarm: ['CqrsEs/EventsDeadLettered'],
      ParkedEventsAlarm: ['CqrsEs/EventsParked'],
      DatabaseProxySaturationAlarm: ['AWS/RDS/DatabaseConnections', 'AWS/RDS/MaxDatabaseConnectionsAllowed'],
    });
    expect(props(resources.ProjectionOffsetLagAlarm!).Dimensions).toEqual([
      { Name: 'FunctionName', Value: { Ref: 'ProjectionLambdaFunction' } },
    ]);
    expect(resources.AlarmTopic!.Type).toBe('AWS::SNS::Topic');
  });

  test('the dashboard shows commands/s, command duration, the outbox, offset lag, batch duration and dead letters', () => {
    const [body, names] = props(resources.PipelineDashboard!).DashboardBody['Fn::Sub'];
    const widgets = JSON.parse(body.replace(/\$\{[^}]+\}/g, 'x')).widgets as Array<{
      properties: { title: string };
    }>;
    expect(widgets.map((w) => w.properties.title)).toEqual([
      'Commands per second (HTTP requests)',
      'Command duration incl. publish (p50, p99 ms)',
      'Outbox: oldest event (ms) and size',
      'Projection: Kafka offset lag and event lag (ms)',
      'Projection batch duration (p50, p99 ms)',
      'Dead letters and parked events',
    ]);
    expect(names).toEqual({
      Api: { Ref: 'HttpApi' },
      Command: { Ref: 'CommandLambdaFunction' },
      Projection: { Ref: 'ProjectionLambdaFunction' },
    });
  });

  test('MSK accepts IAM-authenticated TLS clients only', () => {
    expect(props(resources.MskCluster!)).toMatchObject({
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
    });
  });

  test('the VPC has no internet route: no internet or NAT gateway, AWS APIs through interface endpoints', () => {
    const types = new Set(Object.values(resources).map((r) => r.Type));
    expect(types.has('AWS::EC2::InternetGateway')).toBe(false);
    expect(types.has('AWS::EC2::NatGateway')).toBe(false);
    const endpoints = Object.values(resources)
      .filter((r) => r.Type === 'AWS::EC2::VPCEndpoint')
      .map((r) => JSON.stringify(props(r).ServiceName).match(/\.(\w+)"?\}?$/)?.[1]);
    expect(endpoints.sort()).toEqual(['kafka', 'kms', 'lambda', 'secretsmanager', 'sts', 'xray']);
  });

  test('the template passes cfn-lint (the CloudFormation resource specification)', async () => {
    const result = await run('cfn-lint', [
      '--format',
      'parseable',
      '--ignore-checks',
      'W3005',
      '--',
      pkg.templatePath,
    ]).then(
      () => '',
      (error: { code?: string | number; stdout?: string; stderr?: string }) =>
        error.code === 'ENOENT'
          ? 'cfn-lint is not installed (pip install cfn-lint)'
          : `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    expect(result).toBe('');
  });

  test.each(FUNCTIONS)(
    '%s bundle stays within its size budget, AWS SDK left out, source map beside it',
    async (fn) => {
      const bytes = (await stat(pkg.bundlePath(fn))).size;
      expect(Math.round(bytes / 1024)).toBeLessThanOrEqual(BUDGET_KIB[fn]);
      expect((await stat(`${pkg.bundlePath(fn)}.map`)).size).toBeGreaterThan(0);
      const code = await readFile(pkg.bundlePath(fn), 'utf8');
      expect(code).toContain('@aws-sdk/client-secrets-manager');
      expect(code).not.toMatch(/SecretsManagerServiceException/);
      expect(code).toContain('This bundle encodes utf8 only');
    },
  );

  test('the query and projection bundles carry no Kafka client', async () => {
    for (const fn of ['query', 'projection']) {
      expect(await readFile(pkg.bundlePath(fn), 'utf8')).not.toContain('KafkaJS');
    }
    expect(await readFile(pkg.bundlePath('command'), 'utf8')).toContain('KafkaJS');
  });
});
