/**
 * `npx tsx bench/sweep-run.ts [pages] [latencyMs]`: the large-sweep figures of BENCHMARKS.md section 6b alone
 * (default 10,000 pages of 100 WABAs at 100 ms: about an hour), printed as JSON.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

const { measureLargeSweep } = await import('./sweep.js');
const [pages = '10000', latency = '100'] = process.argv.slice(2);
console.log(JSON.stringify(await measureLargeSweep(Number(pages), 100, Number(latency)), null, 2));
