/**
 * What the bundles get for `node:stream/web` (an esbuild alias, `DEFERRED_BUILTINS` in
 * infra/constructs/switchboard-function.ts). middy imports `ReadableStream` at its top only to recognise a
 * streamed response (`streamifyResponse`, which no Switchboard function uses), and importing the module loads
 * Node's whole web-streams implementation on every cold start. This answers the same `instanceof` with the
 * global class, which Node loads only when it is first asked for. Any other import from the module fails the
 * build (esbuild: no matching export), so nothing can receive this stand-in silently.
 */
// biome-ignore lint/complexity/noStaticOnlyClass: `instanceof` needs a callable with Symbol.hasInstance; middy never constructs it.
export class ReadableStream {
  public static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof globalThis.ReadableStream;
  }
}
