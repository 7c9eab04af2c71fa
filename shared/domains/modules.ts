import type { DomainModule } from '../platform/domain/domain.js';
import { solutions } from './solutions/index.js';
import { threads } from './threads/index.js';
import { wabas } from './wabas/index.js';
import { whatsappThreads } from './whatsapp-threads/index.js';

/**
 * Each domain's code behind its manifest, in the order of `registry.ts` (a test keeps the two lists equal): what
 * local mode, the events function and the stack build the domains' consumers, events and schemas from.
 */
export const DOMAIN_MODULES: readonly DomainModule[] = [solutions, wabas, threads, whatsappThreads];
