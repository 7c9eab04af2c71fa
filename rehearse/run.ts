/**
 * `npm run rehearse`: the first `cdk deploy`, rehearsed on this machine (see rehearse/README.md and
 * rehearsal.ts). Prints every check, what the rehearsal cannot judge, and exits non-zero on any failure.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rehearse } from './rehearsal.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const here = dirname(fileURLToPath(import.meta.url));
const started = Date.now();
const say = (line: string) => console.log(line);

const { checks, motoVersion, logs, binaries } = await rehearse(join(here, '..'), { say });
for (const line of binaries) say(`   ${line}`);
say(`   moto ${motoVersion}`);
for (const check of checks)
  say(`${check.ok ? ' ok ' : 'FAIL'}  ${check.name}${check.ok ? '' : `\n        ${check.detail}`}`);

// The rehearsal's own list of what it cannot judge (rehearse/README.md), so every run says it.
const readme = readFileSync(join(here, 'README.md'), 'utf8');
const limits = readme.slice(readme.indexOf('## What it cannot judge')).split('\n## ')[0] ?? '';
say(`\n${limits.replace('## ', '').trim()}`);

const failed = checks.filter((check) => !check.ok);
say(
  `\n${checks.length - failed.length} of ${checks.length} checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
if (failed.length > 0)
  for (const [id, lines] of logs)
    if (lines.length > 0) say(`\n-- ${id} (last warnings and errors)\n${lines.join('\n')}`);
process.exit(failed.length === 0 ? 0 : 1);
