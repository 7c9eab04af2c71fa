import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { eventSchemasOf } from '../../infra/constructs/event-schemas.js';
import { DOMAIN_MODULES } from '../../shared/domains/modules.js';
import { DOMAINS } from '../../shared/domains/registry.js';
import { deliver, readJson, webhookSamples } from '../support/corpus.js';
import { useLocalStack } from '../support/local-stack.js';

/**
 * The schemas the stack registers are the events Switchboard really emits: every public webhook sample goes
 * through local mode, and every event on its bus must validate against the schema of its detail-type.
 */
// Business tokens on: the PARTNER_ADDED samples onboard (against the sandbox), so onboarding's events come too.
const local = useLocalStack({ env: { BUSINESS_TOKENS_ENABLED: 'true' } });
// A CommonJS module: under Node's ESM interop its class is the default export's `default`.
const Ajv = AjvDraft04.default;

describe('domain event schemas', () => {
  it('every event the public samples cause validates against its registered schema', async () => {
    // Prepare
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validators = new Map(
      Object.entries(eventSchemasOf(DOMAIN_MODULES)).map(([detailType, schema]) => [
        detailType,
        ajv.compile(schema),
      ]),
    );

    // Act
    for (const each of webhookSamples()) await deliver(local.stack, each.body);
    const { items } = (await readJson(local.stack, '/local/events?after=0')).body as {
      items: Record<string, unknown>[];
    };

    // Assess
    expect(new Set(items.map((item) => item['detail-type']))).toEqual(
      new Set(DOMAINS.flatMap((domain) => domain.eventTypes)),
    );
    for (const item of items) {
      const validate = validators.get(String(item['detail-type']));
      const valid = validate?.(item) ?? false;
      expect(valid, `${String(item['detail-type'])}: ${ajv.errorsText(validate?.errors)}`).toBe(true);
    }
  });
});
