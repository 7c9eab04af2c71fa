import { describe, expect, it } from 'vitest';
import { loadActionsConfig, loadWebhookConfig } from '../shared/app/function-config.js';
import { ConfigError } from '../shared/kernel/errors.js';

describe('configuration at cold start', () => {
  it('reports every missing or invalid value at once', () => {
    const error = (() => {
      try {
        loadActionsConfig({ SECRET_CACHE_SECONDS: 'soon', GRAPH_API_BASE_URL: 'ftp://x' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'SOLUTIONS_TABLE',
      'WABAS_TABLE',
      'THREADS_TABLE',
      'WHATSAPP_THREADS_TABLE',
      'META_SECRET_ARN',
      'PAGE_TOKENS_SECRET_ARN',
      'BUSINESS_TOKEN_SECRET_PREFIX',
      'META_APP_ID',
      'META_BUSINESS_ID',
      'SECRET_CACHE_SECONDS',
      'GRAPH_API_BASE_URL',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it('reads a complete webhook configuration', () => {
    const config = loadWebhookConfig({
      SOLUTIONS_QUEUE_URL: 's',
      WABAS_QUEUE_URL: 'w',
      THREADS_QUEUE_URL: 't',
      WHATSAPP_THREADS_QUEUE_URL: 'wt',
      PASSTHROUGH_QUEUE_URL: 'p',
      CLAIM_CHECK_BUCKET: 'b',
      ARCHIVE_STREAM_NAME: 'archive',
      ARCHIVE_BUCKET: 'archive-bucket',
      META_SECRET_ARN: 'arn',
    });
    expect(config).toEqual({
      queueUrls: { solutions: 's', wabas: 'w', threads: 't', 'whatsapp-threads': 'wt', passthrough: 'p' },
      claimCheckBucket: 'b',
      archiveStreamName: 'archive',
      archiveBucket: 'archive-bucket',
      metaSecretArn: 'arn',
      secretCacheSeconds: 300,
    });
  });
});

describe('Graph API version', () => {
  it('defaults to v26.0, which Meta supports into 2028 (v21.0 is retired in January 2027)', () => {
    const config = loadActionsConfig({
      SOLUTIONS_TABLE: 's',
      WABAS_TABLE: 'w',
      THREADS_TABLE: 't',
      WHATSAPP_THREADS_TABLE: 'wt',
      CONTROL_TABLE: 'c',
      META_SECRET_ARN: 'arn',
      PAGE_TOKENS_SECRET_ARN: 'p',
      BUSINESS_TOKEN_SECRET_PREFIX: 'x/',
      DEAD_LETTER_QUEUE_URL: 'https://sqs.test/dlq',
      META_APP_ID: '21202248997039',
      META_BUSINESS_ID: '506914307656634',
    });
    expect(config.identity.graphApiBaseUrl).toBe('https://graph.facebook.com/v26.0');
  });
});
