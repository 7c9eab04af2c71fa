/**
 * Replay throughput in local mode: N deliveries archived within one busy window (local mode's archive on a
 * data folder, as the webhook writes it), then `POST /v1/replay` followed cursor by cursor until the window is
 * complete, as `npm run switchboard -- replay` does. Reports deliveries put back per second and the calls it
 * took (the consumers run meanwhile, as they would; their catching up is not counted). Run:
 * `npx tsx bench/replay-throughput.ts [deliveries]` (default 20,000); `NO_CONSUMERS=true` to replay alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileArchive } from '../local/file-archive.js';
import { startLocalStack } from '../local/stack.js';

const deliveries = Number(process.argv[2] ?? 20_000);
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-replay-bench-'));
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const delivery = (index: number, seconds: number) =>
  Buffer.from(
    JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '506914307656634',
          time: seconds,
          changes: [
            {
              field: 'account_update',
              value: { event: 'PARTNER_ADDED', waba_info: { waba_id: String(880_000_000_000_000 + index) } },
            },
            { field: 'messages', value: { messaging_product: 'whatsapp', index } },
          ],
        },
      ],
    }),
  );

const main = async () => {
  const archive = new FileArchive(join(dataDir, 'archive'));
  const start = Date.now() - 3_600_000;
  // A busy window: every delivery within its first two minutes.
  for (let index = 0; index < deliveries; index++) {
    const receivedAt = start + Math.floor((index * 120_000) / deliveries);
    await archive.keep({ receivedAt, body: delivery(index, Math.floor(receivedAt / 1000)) });
  }
  const stack = await startLocalStack({
    env: {},
    port: 0,
    dataDir,
    consumers: process.env.NO_CONSUMERS !== 'true',
  });
  const window = { from: Math.floor(start / 1000), to: Math.floor(start / 1000) + 600 };
  let cursor: string | undefined;
  let replayed = 0;
  let calls = 0;
  const began = performance.now();
  for (;;) {
    const response = await fetch(`${stack.url}/v1/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...window, ...(cursor === undefined ? {} : { cursor }) }),
    });
    const answer = (await response.json()) as {
      deliveries: number;
      complete: boolean;
      cursor: string | null;
    };
    if (response.status !== 200)
      throw new Error(`replay answered ${response.status}: ${JSON.stringify(answer)}`);
    calls += 1;
    replayed += answer.deliveries;
    if (answer.complete || answer.cursor === null) break;
    cursor = answer.cursor;
  }
  const seconds = (performance.now() - began) / 1000;
  console.log(
    JSON.stringify({
      deliveries,
      replayed,
      calls,
      seconds: Math.round(seconds * 10) / 10,
      deliveriesPerSecond: Math.round(replayed / seconds),
    }),
  );
  await stack.close();
};

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dataDir, { recursive: true, force: true }));
