/** The subset of the API Gateway HTTP API (payload 2.0) event that Switchboard reads. */
export interface HttpApiEvent {
  version?: string;
  routeKey: string;
  rawPath: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  pathParameters?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded: boolean;
  requestContext: {
    requestId: string;
    http: { method: string; path: string; sourceIp?: string };
    timeEpoch?: number;
  };
}

export interface HttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}
