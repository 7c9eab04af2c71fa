import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Actions } from './constructs/actions.js';
import { Alarms } from './constructs/alarms.js';
import { Consumers } from './constructs/consumers.js';
import { SwitchboardDashboard } from './constructs/dashboard.js';
import { DomainEvents } from './constructs/domain-events.js';
import { EventSchemas } from './constructs/event-schemas.js';
import { SwitchboardHttpApi } from './constructs/http-api.js';
import { Ingestion } from './constructs/ingestion.js';
import { ReadApi } from './constructs/read-api.js';
import { Reconciliation } from './constructs/reconciliation.js';
import { createStatefulResources } from './constructs/stateful.js';
import { requireSupportedRegion } from './regions.js';
import { readSettings } from './settings.js';

export { RECONCILE_SAFETY_MARGIN, RECONCILE_TIMEOUT } from './constructs/reconciliation.js';
export { CONSUMER_TIMEOUT } from './constructs/stateful.js';

/**
 * Switchboard: the stateful resources at the stack's root (their logical IDs never move), and one construct
 * per concern around them, each with its own grants and cdk-nag acknowledgements.
 */
export class SwitchboardStack extends Stack {
  public constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    requireSupportedRegion(this);
    const settings = readSettings(this.node);
    const state = createStatefulResources(this);
    const { webhook } = new Ingestion(this, 'Ingestion', state);
    const consumers = new Consumers(this, 'Consumers', state, settings).functions;
    const { api } = new ReadApi(this, 'Read', state);
    const { reconcile, sweep } = new Reconciliation(this, 'Reconciliation', state, settings);
    const { actions } = new Actions(this, 'Act', state, settings);
    const { httpApi, stage } = new SwitchboardHttpApi(this, 'Http', { webhook, api, actions, reconcile });
    const events = new DomainEvents(this, 'Events', state);
    const schemas = new EventSchemas(this, 'EventSchemas');
    const queues = Object.values(state.queues);
    const queueConsumers = [consumers.solutions, consumers.wabas, consumers.threads, actions];
    new Alarms(this, 'Monitoring', {
      settings,
      webhook,
      consumers: queueConsumers,
      reconcile,
      sweep,
      httpFunctions: [
        { fn: api, service: 'api' },
        { fn: actions, service: 'actions' },
        { fn: reconcile, service: 'reconcile' },
      ],
      queues,
      events: { fn: events.publisher, failures: events.failures },
    });
    new SwitchboardDashboard(this, 'Dashboard', {
      reconcileRateMinutes: settings.reconcileRateMinutes,
      webhook,
      consumers: queueConsumers,
      reconcile,
      httpApi,
      stage,
      queues,
    });

    new CfnOutput(this, 'WebhookUrl', {
      value: `${stage.url}webhook`,
      description: 'Callback URL for the Meta App Dashboard',
    });
    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the API (SigV4 for /v1)' });
    new CfnOutput(this, 'MetaSecretArn', { value: state.metaSecret.secretArn });
    new CfnOutput(this, 'PageTokensSecretArn', { value: state.pageTokensSecret.secretArn });
    new CfnOutput(this, 'ReconcileFunctionName', { value: reconcile.functionName });
    new CfnOutput(this, 'EventBusName', {
      value: events.bus.eventBusName,
      description: 'Domain events (source "switchboard"): subscribe with EventBridge rules',
    });
    new CfnOutput(this, 'EventSchemaRegistryName', {
      value: schemas.registry.attrRegistryName,
      description: 'JSON Schemas (draft 4) of the domain events, one per detail-type',
    });
    new CfnOutput(this, 'ArchiveBucketName', {
      value: state.archive.bucketName,
      description: 'Every accepted delivery as received (deliveries/yyyy/MM/dd/HH/, GZIP JSON lines)',
    });
    const title = (name: string) => `${name[0]?.toUpperCase()}${name.slice(1)}`;
    for (const [name, domainQueue] of Object.entries(state.queues)) {
      new CfnOutput(this, `${title(name)}QueueUrl`, { value: domainQueue.queue.queueUrl });
      new CfnOutput(this, `${title(name)}DlqUrl`, { value: domainQueue.dlq.queueUrl });
    }
    for (const [name, table] of Object.entries(state.tables))
      new CfnOutput(this, `${title(name)}TableName`, { value: table.tableName });
  }
}
