import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createSwitchboard } from '../../infra/create-switchboard.js';
import { startLocalStack } from '../../local/stack.js';
import { DOMAIN_MODULES } from '../../shared/domains/modules.js';
import { DOMAINS } from '../../shared/domains/registry.js';
import { notesModule } from '../fixtures/notes-domain/notes.js';
import { EXAMPLE_CONTEXT } from '../infra/constructs/isolated.js';
import { postSigned } from '../support/local-stack.js';

const WITH_NOTES = [...DOMAIN_MODULES, notesModule];

const idsOf = (template: Template, type: string): string[] => Object.keys(template.findResources(type));

describe('the domain registry', () => {
  it('lists each domain once, in the same order as its modules', () => {
    expect(DOMAIN_MODULES.map((module) => module.manifest)).toEqual(DOMAINS);
    expect(new Set(DOMAINS.map((domain) => domain.name)).size).toBe(DOMAINS.length);
  });

  it('a domain added to the list gets its queue, DLQ, table, consumer, alarms and outputs in the stack', () => {
    // Prepare: the registry's domains and a trivial one defined in this test only.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...EXAMPLE_CONTEXT } });

    // Act
    const stack = createSwitchboard(app, { account: undefined, region: undefined }, WITH_NOTES);
    app.synth(); // cdk-nag: the new domain's resources carry their acknowledgements
    const template = Template.fromStack(stack);

    // Assess
    const queues = idsOf(template, 'AWS::SQS::Queue');
    expect(queues.some((id) => id.startsWith('NotesQueueDlq'))).toBe(true);
    expect(queues.some((id) => /^NotesQueue[0-9A-F]{8}$/.test(id))).toBe(true);
    expect(idsOf(template, 'AWS::DynamoDB::Table').some((id) => id.startsWith('Statenotes'))).toBe(true);
    const consumer = idsOf(template, 'AWS::Lambda::Function').find((id) =>
      id.startsWith('ConsumersNotesConsumer'),
    );
    expect(consumer).toBeDefined();
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    const fed = mappings.filter((mapping) =>
      JSON.stringify(mapping.Properties.FunctionName).includes(consumer ?? '-'),
    );
    expect(JSON.stringify(fed)).toContain('NotesQueue');
    const alarms = idsOf(template, 'AWS::CloudWatch::Alarm');
    expect(alarms.some((id) => id.startsWith('MonitoringNotesQueueDlqNotEmpty'))).toBe(true);
    expect(alarms.some((id) => id.startsWith('MonitoringNotesConsumerErrors'))).toBe(true);
    expect(Object.keys(template.toJSON().Outputs)).toEqual(
      expect.arrayContaining(['NotesQueueUrl', 'NotesDlqUrl', 'NotesTableName']),
    );
  });

  it('a domain added to the list gets its queue, consumer, table and events in local mode', async () => {
    // Prepare
    const stack = await startLocalStack({ env: {}, port: 0, domains: WITH_NOTES });
    try {
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          { id: '1', time: 1_700_000_000, changes: [{ field: 'notes', value: { id: 'n1', text: 'hello' } }] },
        ],
      });

      // Act
      const answer = await postSigned(stack.url, body, stack.env.META_APP_SECRET ?? '');
      await stack.drain();

      // Assess
      expect(answer.status).toBe(200);
      expect(await stack.tables.notes?.get({ noteId: 'n1' })).toMatchObject({ r_text: { text: 'hello' } });
      expect(stack.events.items.map((event) => [event['detail-type'], event.detail.text])).toEqual([
        ['Note Changed', 'hello'],
      ]);
    } finally {
      await stack.close();
    }
  });
});
