import { Readable } from 'node:stream';
import type { HttpHandler } from '@smithy/core/protocols';
import type { HttpRequest, HttpResponse } from '@smithy/types';

/**
 * An AWS SDK HTTP handler that answers locally: the SDK still builds, signs and parses every request,
 * only the network round trip is removed. `answer` returns the JSON body of the service's response.
 */
export const stubHttpHandler = (
  answer: (requestBody: string) => string,
): HttpHandler<Record<string, never>> => ({
  handle: async (request: HttpRequest) => {
    const sent: unknown = request.body;
    // The SDK hands over bytes; read them as bytes (its adapter warns when used as a string).
    const text =
      sent instanceof Uint8Array
        ? Buffer.from(sent.buffer, sent.byteOffset, sent.byteLength).toString('utf8')
        : String(sent ?? '');
    const body = Buffer.from(answer(text));
    const response: HttpResponse = {
      statusCode: 200,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: Readable.from([body]),
    };
    return { response };
  },
  updateHttpClientConfig: () => undefined,
  httpHandlerConfigs: () => ({}),
});
