import type { DomainManifest } from '../platform/domain/domain.js';
import { solutionsManifest } from './solutions/manifest.js';
import { threadsManifest } from './threads/manifest.js';
import { wabasManifest } from './wabas/manifest.js';
import { whatsappThreadsManifest } from './whatsapp-threads/manifest.js';

const REGISTERED = [solutionsManifest, wabasManifest, threadsManifest, whatsappThreadsManifest] as const;

/**
 * The domains, each one folder under `shared/domains/`. This list is what the webhook routes by and what the
 * stack, alarms, dashboard, local mode, redrive and the CLI loop over. It holds manifests only (names, tables,
 * routing, routes), so the webhook's bundle carries no domain code; each domain's code is its `index.ts`,
 * listed in the same order in `modules.ts` (a test keeps the two lists equal).
 */
export const DOMAINS: readonly DomainManifest[] = REGISTERED;

export type DomainName = (typeof REGISTERED)[number]['name'];
/** Every route a domain declares, with its literal name and function. */
export type DomainRoute = (typeof REGISTERED)[number]['routes'][number];
