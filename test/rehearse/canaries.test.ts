import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokenMemorySize, elevenEntryBatches, withoutGrant } from '../../rehearse/canaries.js';
import { type RehearsalOptions, rehearse, synthesizeForDeploy } from '../../rehearse/rehearsal.js';

// The rehearsal must be able to fail: each canary breaks one thing AWS would refuse, and the rehearsal must
// report that very thing (not merely fail somewhere). One synth is shared; each canary runs the part it needs.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = mkdtempSync(join(tmpdir(), 'switchboard-canaries-'));
const cdkOut = join(work, 'cdk.out');

const failures = async (options: RehearsalOptions) => {
  const { checks } = await rehearse(root, { cdkOut, quick: true, ...options });
  return checks.filter((check) => !check.ok).map((check) => `${check.name} :: ${check.detail}`);
};

describe('the rehearsal fails on', () => {
  beforeAll(() => {
    synthesizeForDeploy(root, cdkOut);
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('a role without one grant: moto refuses the call, and the grant checks say which', async () => {
    // Act: the webhook's role without sqs:SendMessage
    const failed = await failures({
      skip: ['template'],
      deployTemplate: (template) => withoutGrant(template, 'webhook', 'sqs:SendMessage'),
    });
    // Assess
    expect(failed).toContainEqual(
      expect.stringMatching(
        /^webhook: moto refused none of its calls.*AccessDenied.*not authorized to perform: sqs:SendMessageBatch/,
      ),
    );
    expect(failed).toContainEqual(
      expect.stringMatching(/^webhook: its role allows every AWS command its code can send/),
    );
    expect(failed).toContainEqual(expect.stringMatching(/^signed partner-added answers 200/));
  }, 300_000);

  it('an SQS batch with an 11th entry: moto refuses it as SQS does', async () => {
    // Act
    const failed = await failures({ skip: ['template'], mutate: elevenEntryBatches });
    // Assess
    expect(failed).toContainEqual(
      expect.stringMatching(/^webhook: moto refused none of its calls.*TooManyEntriesInBatchRequest/),
    );
    expect(failed).toContainEqual(expect.stringMatching(/^signed partner-added answers 200/));
  }, 300_000);

  it('a template property CloudFormation refuses (64 MB of Lambda memory): cfn-lint reports it', async () => {
    // Act
    const failed = await failures({ skip: ['run'], lintTemplate: brokenMemorySize });
    // Assess
    expect(failed).toContainEqual(
      expect.stringMatching(
        /^cfn-lint: the concrete template has no error in eu-west-1 :: E3034 .*MemorySize/,
      ),
    );
  }, 300_000);
});
