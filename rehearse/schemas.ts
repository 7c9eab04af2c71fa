import AjvDraft04 from 'ajv-draft-04';
import type { Check } from './driver.js';
import { resourcesOfType, type Template } from './template.js';

const Ajv = AjvDraft04 as unknown as typeof AjvDraft04.default;

/** The template's event schemas (AWS::EventSchemas::Schema), by the detail-type each one's title names. */
const schemasOf = (template: Template) =>
  resourcesOfType(template, 'AWS::EventSchemas::Schema').map(([id, schema]) => ({
    id,
    type: String(schema.Properties?.Type),
    content: JSON.parse(String(schema.Properties?.Content)) as Record<string, unknown>,
  }));

/**
 * Each registered schema is what the registry accepts (type JSONSchemaDraft4) and compiles as draft 4 with
 * every keyword known (Ajv strict mode): a typo in a keyword is an error, not a schema that accepts anything.
 */
export const checkEventSchemas = (template: Template): Check[] =>
  schemasOf(template).map(({ id, type, content }) => {
    try {
      new Ajv({ strict: true, allowUnionTypes: true }).compile(content);
      return {
        name: `event schema ${id} is a valid ${type} schema`,
        ok: type === 'JSONSchemaDraft4' && content.$schema === 'http://json-schema.org/draft-04/schema#',
        detail: String(content.title),
      };
    } catch (error) {
      return { name: `event schema ${id} is a valid ${type} schema`, ok: false, detail: String(error) };
    }
  });

/** Every event matches the template's schema for its detail-type (and one exists): the errors found. */
export const eventSchemaErrors = (template: Template, events: { 'detail-type': string }[]): string[] => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validators = new Map(
    schemasOf(template).map(({ content }) => [String(content.title), ajv.compile(content)]),
  );
  return events.flatMap((event) => {
    const validate = validators.get(event['detail-type']);
    if (validate === undefined) return [`no schema for "${event['detail-type']}"`];
    return validate(event) ? [] : [`${event['detail-type']}: ${ajv.errorsText(validate.errors)}`];
  });
};
