import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';

export interface ApiResponse {
  status: number;
  body: unknown;
}

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname);

/** `<id>.execute-api.<region>.amazonaws.com` names its region; otherwise AWS_REGION. */
export const regionOf = (url: URL, fallback: string | undefined): string => {
  const match = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname);
  const region = match?.[1] ?? fallback;
  if (region === undefined) throw new Error('cannot tell the API region: pass --region or set AWS_REGION');
  return region;
};

/**
 * Calls the Switchboard API: plain HTTP on loopback (local mode), SigV4-signed (`execute-api`) with the
 * default AWS credential chain against a deployed stack, whose /v1 routes require IAM.
 */
export const callApi = async (
  base: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: {
    query?: Record<string, string | undefined>;
    body?: unknown;
    region?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<ApiResponse> => {
  const url = new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
  for (const [name, value] of Object.entries(options.query ?? {}))
    if (value !== undefined) url.searchParams.set(name, value);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  let headers: Record<string, string> = {
    accept: 'application/json',
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...options.headers,
  };
  if (!isLoopback(url)) {
    const signer = new SignatureV4({
      service: 'execute-api',
      region: regionOf(url, options.region ?? process.env.AWS_REGION),
      credentials: fromNodeProviderChain(),
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      ...(body === undefined ? {} : { body }),
    });
    headers = signed.headers as Record<string, string>;
  }
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain-text answers stay text
  }
  return { status: response.status, body: parsed };
};
