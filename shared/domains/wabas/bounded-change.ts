import { boundedRecord, boundedText, type Dropped } from '../../kernel/bounds.js';
import { MAX_FACT_DETAIL_BYTES, MAX_IDS, MAX_TEXT, READ_FIELDS } from './bounds.js';
import type { WabaChangeEvent, WabaObservation } from './event.js';

export const ids = (list: readonly string[]): string[] => list.slice(0, MAX_IDS);
export const text = (value: string | null): string | null =>
  value === null ? null : boundedText(value, MAX_TEXT);

/** A change as its register may keep it (bounds.ts), and what its details lost (null when nothing). */
export const boundedChange = (
  event: WabaChangeEvent,
): { event: WabaChangeEvent; dropped: Dropped | null } => {
  const { record: details, dropped } = boundedRecord(event.details, MAX_FACT_DETAIL_BYTES, READ_FIELDS);
  const { wabaInfo: info, disconnection } = event;
  return {
    event: {
      ...event,
      event: boundedText(event.event, MAX_TEXT),
      wabaInfo: info === null ? null : { ...info, partnerBusinessIds: ids(info.partnerBusinessIds) },
      ...(disconnection === null || disconnection === undefined
        ? {}
        : {
            disconnection: {
              reason: text(disconnection.reason),
              initiatedBy: text(disconnection.initiatedBy),
            },
          }),
      details,
    },
    dropped,
  };
};

/** A reconciliation reading as its register may keep it (bounds.ts). */
export const boundedObservation = (event: WabaObservation): WabaObservation => ({
  ...event,
  name: text(event.name),
  timezoneId: text(event.timezoneId),
  businessType: text(event.businessType),
  messageTemplateNamespace: text(event.messageTemplateNamespace),
  solutionIds: ids(event.solutionIds),
});
