/**
 * `npm run trigger -- <fixture...> [--url URL] [--secret S]`: signs fixture deliveries the way Meta does
 * and posts them. Defaults: the local server and the development app secret (or META_APP_SECRET).
 */
import { parseArgs } from 'node:util';
import { FIXTURES, fixtureNames } from '../fixtures/deliveries.js';
import { DEV_DEFAULTS } from '../local/defaults.js';
import { errorMessage } from '../shared/kernel/errors.js';
import { signBody } from '../shared/platform/http/signature.js';

/** Every fixture, one a line: its name and what it is. */
const fixtureList = fixtureNames()
  .map((name) => `${name.padEnd(30)} ${FIXTURES[name]?.description ?? ''}`)
  .join('\n');

const usage = `usage: npm run trigger -- <fixture...> [--url URL] [--secret SECRET]
       npm run trigger -- --list

fixtures:
${fixtureList.replace(/^/gm, '  ')}`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    secret: { type: 'string' },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.list && !values.help) {
  console.log(fixtureList);
  process.exit(0);
}
if (values.help || positionals.length === 0) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}

const url = values.url ?? `http://127.0.0.1:${process.env.PORT ?? 3000}/webhook`;
const secret = values.secret ?? process.env.META_APP_SECRET ?? DEV_DEFAULTS.META_APP_SECRET;
const unknown = positionals.filter((name) => FIXTURES[name] === undefined);
if (unknown.length > 0) {
  console.error(`unknown fixture(s): ${unknown.join(', ')}\n\n${usage}`);
  process.exit(2);
}

let failures = 0;
for (const name of positionals) {
  const body = JSON.stringify(FIXTURES[name]?.body);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, secret) },
      body,
    });
    const text = await response.text();
    console.log(`${name} → ${response.status} ${text}`);
    if (!response.ok) failures += 1;
  } catch (error) {
    failures += 1;
    console.error(`${name} → request to ${url} failed: ${errorMessage(error)} (is \`npm start\` running?)`);
  }
}
process.exit(failures === 0 ? 0 : 1);
