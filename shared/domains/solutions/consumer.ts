import type { ConsumerSpec } from '../../platform/consumers/consumer.js';
import type { ConsumerPorts } from '../../platform/domain/domain.js';
import { decodeSolutionChange } from './decode.js';
import { solutionsManifest } from './manifest.js';
import { solutionWrites } from './repository.js';
import { isDocumentedStatus, type SolutionEvent } from './solution.js';

/** The solutions consumer: a `partner_solutions` change, decoded and applied with one conditional write. */
export const solutionsConsumer = ({ table, telemetry }: ConsumerPorts): ConsumerSpec<SolutionEvent> => {
  const repository = solutionWrites(table);
  return {
    domain: solutionsManifest.name,
    decode: decodeSolutionChange,
    apply: (event) => repository.apply(event),
    async afterApply(event) {
      // Stored as given, never a crash; the metric lets an operator notice Meta added a status.
      if (!isDocumentedStatus(event.status)) {
        telemetry.count('UndocumentedSolutionStatus');
        telemetry.logger.warn('undocumented solution status', {
          solutionId: event.solutionId,
          status: event.status,
        });
      }
    },
  };
};
