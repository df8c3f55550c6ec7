/**
 * AWS Signature Version 4 for OTLP requests to an AWS endpoint, such as CloudWatch's OTLP traces
 * endpoint (https://xray.<region>.amazonaws.com/v1/traces), which authenticates callers by SigV4
 * only. The credentials are the function's own, which Lambda puts in the environment. The signing
 * code loads on the first export, so a container that exports nowhere, or not yet, does not pay for
 * it at start-up (and the AWS SDK's credential provider, which the Lambda runtime provides, is not
 * needed where nothing is signed).
 */
import type { SignatureV4 } from '@smithy/signature-v4';

/** Adds the signature headers to a POST of `body` to `url`. */
export type RequestSigner = (
  url: URL,
  headers: Record<string, string>,
  body: Uint8Array,
) => Promise<Record<string, string>>;

const AWS_ENDPOINT = /^(?<service>[a-z0-9-]+)\.(?<region>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/;

/** The service and region an AWS endpoint's host names (xray.eu-west-1.amazonaws.com), if it is one. */
export function awsEndpointOf(url: URL): { service: string; region: string } | undefined {
  const groups = AWS_ENDPOINT.exec(url.hostname)?.groups;
  return groups ? { service: groups.service!, region: groups.region! } : undefined;
}

async function newSigner(service: string, region: string): Promise<SignatureV4> {
  const [{ SignatureV4 }, { Hash }, { fromEnv }] = await Promise.all([
    import('@smithy/signature-v4'),
    import('@smithy/hash-node'),
    import('@aws-sdk/credential-provider-env'),
  ]);
  return new SignatureV4({ service, region, credentials: fromEnv(), sha256: Hash.bind(null, 'sha256') });
}

export function sigV4Signer(service: string, region: string): RequestSigner {
  let signer: Promise<SignatureV4> | undefined;
  return async (url, headers, body) => {
    signer ??= newSigner(service, region);
    const signed = await (
      await signer
    ).sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: {},
      headers: { ...headers, host: url.host },
      body,
    });
    return signed.headers;
  };
}
