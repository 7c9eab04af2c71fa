import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createSwitchboard } from '../../infra/create-switchboard.js';
import { EXAMPLE_CONTEXT } from '../infra/constructs/isolated.js';

/** The runbook's entries: each table row starts with the entry's name in bold. */
const entries = (): string[] =>
  [
    ...readFileSync(new URL('../../docs/runbook.md', import.meta.url), 'utf8').matchAll(
      /^\| \*\*([^*]+)\*\*/gm,
    ),
  ].map((match) => match[1] ?? '');

/** Every alarm of the synthesized stack (with every optional feature on), with its description. */
const alarms = (): { id: string; description: string }[] => {
  const app = new App({
    context: {
      'aws:cdk:bundling-stacks': [],
      ...EXAMPLE_CONTEXT,
      'switchboard:businessTokens': true,
      'switchboard:alarmEmail': 'ops@example.com',
      'switchboard:relay': [
        { name: 'crm', url: 'https://crm.example.com/hook', fields: ['messages'], signing: 'meta' },
      ],
    },
  });
  const stack = createSwitchboard(app, { account: undefined, region: undefined });
  return Object.entries(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map(
    ([id, alarm]) => ({ id, description: String(alarm.Properties.AlarmDescription ?? '') }),
  );
};

describe('the runbook', () => {
  it('has an entry for every alarm the stack creates, and no entry that no alarm names', () => {
    // Prepare
    const documented = entries();
    const all = alarms();

    // Act
    const cited = all.map(({ id, description }) => ({
      id,
      entry: /Runbook: "([^"]+)"/.exec(description)?.[1],
    }));

    // Assess
    expect(cited.filter(({ entry }) => entry === undefined).map(({ id }) => id)).toEqual([]);
    expect(
      cited
        .filter(({ entry }) => !documented.includes(entry ?? ''))
        .map(({ id, entry }) => `${id}: ${entry}`),
    ).toEqual([]);
    const named = new Set(cited.map(({ entry }) => entry));
    expect(documented.filter((entry) => !named.has(entry))).toEqual([]);
  });
});
