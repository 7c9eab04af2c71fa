/**
 * `npx tsx bench/messages-run.ts [--quick]`: the messages-heavy cost figures of BENCHMARKS.md section 7b alone
 * (WhatsApp threads beside passthrough), printed as JSON.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

const { measureMessagesWebhook, measureMessagesConsumer, measureThreadItemBytes } = await import(
  './messages-cost.js'
);
const { messagesCostModel } = await import('./messages-model.js');
const quick = process.argv.includes('--quick');
const inputs = {
  webhook: await measureMessagesWebhook(quick),
  consumer: await measureMessagesConsumer(quick),
  itemBytes: measureThreadItemBytes(),
};
console.log(JSON.stringify({ inputs, scenarios: messagesCostModel(inputs) }, null, 2));
