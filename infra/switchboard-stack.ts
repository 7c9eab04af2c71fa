import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { privacySchemas } from '../shared/app/privacy/schema.js';
import { DOMAIN_MODULES } from '../shared/domains/modules.js';
import type { DomainModule } from '../shared/platform/domain/domain.js';
import { requireSupportedRegion } from './config/regions.js';
import { readRelayDestinations } from './config/relay.js';
import { readSettings } from './config/settings.js';
import { Actions } from './constructs/actions.js';
import { Alarms } from './constructs/alarms.js';
import { Consumers } from './constructs/consumers.js';
import { SwitchboardDashboard } from './constructs/dashboard.js';
import { DomainEvents } from './constructs/domain-events.js';
import { EventSchemas } from './constructs/event-schemas.js';
import { SwitchboardHttpApi } from './constructs/http-api.js';
import { Ingestion } from './constructs/ingestion.js';
import { Privacy } from './constructs/privacy.js';
import { ReadApi } from './constructs/read-api.js';
import { Reconciliation } from './constructs/reconciliation.js';
import { Relay } from './constructs/relay.js';
import { addRelayAlarms, relayWidgets } from './constructs/relay-monitoring.js';
import { createStatefulResources } from './constructs/stateful.js';

export { RECONCILE_SAFETY_MARGIN, RECONCILE_TIMEOUT } from './constructs/reconciliation.js';
export { CONSUMER_TIMEOUT } from './constructs/stateful.js';

export interface SwitchboardStackProps extends StackProps {
  /** The domains to deploy: the registry's (`shared/domains/modules.ts`) unless a test adds one. */
  domains?: readonly DomainModule[];
}

/**
 * Switchboard: the stateful resources at the stack's root (their logical IDs never move), and one construct
 * per concern around them, each with its own grants and cdk-nag acknowledgements. Each domain of the registry
 * gets its table, queue and DLQ, consumer, stream, alarms and outputs.
 */
export class SwitchboardStack extends Stack {
  public constructor(scope: Construct, id: string, props: SwitchboardStackProps = {}) {
    const { domains: modules = DOMAIN_MODULES, ...stackProps } = props;
    super(scope, id, stackProps);
    const domains = modules.map((module) => module.manifest);
    requireSupportedRegion(this);
    const settings = readSettings(this.node);
    const state = createStatefulResources(this, domains, settings);
    const { webhook } = new Ingestion(this, 'Ingestion', state, domains);
    const consumers = new Consumers(this, 'Consumers', { state, settings, domains }).functions;
    const { api } = new ReadApi(this, 'Read', state, domains);
    const { reconcile, sweep } = new Reconciliation(this, 'Reconciliation', { state, settings, domains });
    const { actions } = new Actions(this, 'Act', state, settings);
    const relay = new Relay(this, 'Relay', {
      state,
      destinations: readRelayDestinations(this.node),
      webhook,
      reconcile,
    });
    const events = new DomainEvents(this, 'Events', state, domains);
    const { privacy } = new Privacy(this, 'PersonalData', {
      state,
      settings,
      domains,
      bus: events.bus,
      events: events.publisher,
    });
    const { httpApi, stage } = new SwitchboardHttpApi(this, 'Http', {
      webhook,
      api,
      actions,
      reconcile,
      privacy,
    });
    const schemas = new EventSchemas(this, 'EventSchemas', modules, privacySchemas);
    const queues = Object.values(state.queues);
    const queueConsumers = [...Object.values(consumers), actions];
    const monitoring = new Alarms(this, 'Monitoring', {
      settings,
      webhook,
      consumers: queueConsumers,
      domains: domains.map((domain) => domain.name),
      reconcile,
      sweep,
      httpFunctions: [
        { fn: api, service: 'api' },
        { fn: actions, service: 'actions' },
        { fn: reconcile, service: 'reconcile' },
        { fn: privacy, service: 'privacy' },
      ],
      queues,
      events: { fn: events.publisher, failures: events.failures },
    });
    addRelayAlarms(monitoring, relay.lanes);
    const { dashboard } = new SwitchboardDashboard(this, 'Dashboard', {
      reconcileRateMinutes: settings.reconcileRateMinutes,
      webhook,
      consumers: queueConsumers,
      reconcile,
      httpApi,
      stage,
      queues,
    });
    dashboard.addWidgets(...relayWidgets(relay.lanes));
    this.outputs({ state, events, schemas, stage, reconcile, titles: domains });
  }

  private outputs(props: {
    state: ReturnType<typeof createStatefulResources>;
    events: DomainEvents;
    schemas: EventSchemas;
    stage: SwitchboardHttpApi['stage'];
    reconcile: Reconciliation['reconcile'];
    titles: readonly { name: string; title: string }[];
  }): void {
    const { state, events, schemas, stage, reconcile } = props;
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
    // `SolutionsQueue` → `SolutionsQueueUrl` and `SolutionsDlqUrl`; each table → `<Title>TableName`.
    for (const domainQueue of Object.values(state.queues)) {
      const stem = domainQueue.node.id.replace(/Queue$/, '');
      new CfnOutput(this, `${stem}QueueUrl`, { value: domainQueue.queue.queueUrl });
      new CfnOutput(this, `${stem}DlqUrl`, { value: domainQueue.dlq.queueUrl });
    }
    const titles = new Map<string, string>([
      ...props.titles.map((domain): [string, string] => [domain.name, domain.title]),
      ['control', 'Control'],
    ]);
    for (const [name, table] of Object.entries(state.tables))
      new CfnOutput(this, `${titles.get(name) ?? name}TableName`, { value: table.tableName });
  }
}
