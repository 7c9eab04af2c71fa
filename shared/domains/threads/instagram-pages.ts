import { mapWithConcurrency } from '../../kernel/async.js';
import { SwitchboardError } from '../../kernel/errors.js';
import { isMetaId, metaIdOrNull } from '../../kernel/ids.js';
import { type GraphClient, graphPath } from '../../platform/graph/client.js';
import { GraphApiError } from '../../platform/graph/errors.js';
import type { SecretSource } from '../../platform/secrets/meta-secrets.js';
import type { PageTokens } from './page-tokens.js';

/**
 * Instagram handovers name the Instagram professional account (`entry.id`, `recipient.id`), but Meta's
 * conversation-control calls for that conversation go to the Facebook Page linked to the account, with that
 * Page's token and the IGSID as recipient. This module answers "which Page?": from configuration
 * (`META_INSTAGRAM_PAGES`, CDK context `switchboard:instagramPages`), else discovered by asking Graph for
 * `instagram_business_account` of every Page we hold a token for.
 */

/** Meta's `PAGE_ID?fields=instagram_business_account` answer. */
interface PageAccountAnswer {
  instagram_business_account?: { id?: unknown };
}

export class InstagramPageUnknownError extends SwitchboardError {
  public constructor(accountId: string) {
    super(
      422,
      'instagram_page_unknown',
      `thread ${accountId} is on an Instagram account whose linked Facebook Page is unknown: add its page token, or configure META_INSTAGRAM_PAGES / switchboard:instagramPages as <instagramAccountId>=<pageId>`,
      { instagramAccountId: accountId },
    );
  }
}

export interface InstagramPagesDeps {
  graph: GraphClient;
  pageTokens: SecretSource<PageTokens>;
  configured?: ReadonlyMap<string, string>;
  now?: () => number;
}

/** Discovered links are re-read after this long, and a miss asks Graph again at most this often. */
const DISCOVERY_TTL_MS = 15 * 60_000;
const MISS_RETRY_MS = 60_000;
const DISCOVERY_CONCURRENCY = 4;

export class InstagramPages {
  private discovered = new Map<string, string>();
  private discoveredAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  public constructor(private readonly deps: InstagramPagesDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The linked Page of an Instagram account, or undefined when `id` is not one we know (e.g. a Page). */
  public async pageFor(id: string): Promise<string | undefined> {
    const configured = this.deps.configured?.get(id);
    if (configured !== undefined) return configured;
    const tokens = await this.deps.pageTokens.get(false);
    // A Page we hold a token for is a Page: no lookup on the Messenger path.
    if (Object.hasOwn(tokens, id)) return undefined;
    const age = this.now() - this.discoveredAt;
    const cached = this.discovered.get(id);
    if (cached !== undefined && age < DISCOVERY_TTL_MS) return cached;
    if (age >= MISS_RETRY_MS) await this.discover(tokens);
    return this.discovered.get(id);
  }

  private async discover(tokens: PageTokens): Promise<void> {
    const pages = Object.keys(tokens).filter(isMetaId);
    const links = await mapWithConcurrency(pages, DISCOVERY_CONCURRENCY, async (pageId) => {
      try {
        const answer = await this.deps.graph.request<PageAccountAnswer>({
          path: graphPath(pageId),
          query: { fields: 'instagram_business_account' },
          token: async () => tokens[pageId] ?? '',
        });
        return [metaIdOrNull(answer.instagram_business_account?.id), pageId] as const;
      } catch (error) {
        // One Page Meta refuses to describe (token revoked, Page gone) must not hide the others.
        if (error instanceof GraphApiError) return [null, pageId] as const;
        throw error;
      }
    });
    this.discovered = new Map(
      links.filter((link): link is readonly [string, string] => link[0] !== null).map(([a, p]) => [a, p]),
    );
    this.discoveredAt = this.now();
  }
}
