import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV } from '../../shared/platform/config/constants.js';
import { type DomainManifest, domainEnv } from '../../shared/platform/domain/domain.js';
import { retentionEnvironment, type SwitchboardSettings } from '../config/settings.js';
import type { StatefulResources } from './stateful.js';
import { SwitchboardFunction } from './switchboard-function.js';

/**
 * Personal data (docs/personal-data.md): the privacy function (Meta's data deletion callback, its status page,
 * `DELETE /v1/users/{userId}`), which may only list a person's items through each personal-data table's
 * keys-only indexes, put tombstones over them, keep erasure records in the control table and publish
 * `User Erased`; and the events function's key when user IDs in events are hashed.
 */
export class Privacy extends Construct {
  public readonly privacy: SwitchboardFunction;

  public constructor(
    scope: Construct,
    id: string,
    props: {
      state: StatefulResources;
      settings: SwitchboardSettings;
      domains: readonly DomainManifest[];
      bus: IEventBus;
      /** The events function: told how to publish user IDs (and given the key when hashed). */
      events: SwitchboardFunction;
    },
  ) {
    super(scope, id);
    const { state, settings, bus } = props;
    this.privacy = new SwitchboardFunction(this, 'Privacy', {
      name: 'privacy',
      invokedBy: 'api',
      timeout: Duration.seconds(29),
      environment: { ...retentionEnvironment(settings), [ENV.eventBusName]: bus.eventBusName },
    })
      .bindTable(state.table('control'), 'RW', ENV.controlTable)
      .bindSecretRead(state.metaSecret, ENV.metaSecretArn);
    bus.grantPutEventsTo(this.privacy);
    for (const domain of props.domains.filter((each) => each.table.personalData === true)) {
      const table = state.table(domain.name);
      this.privacy.addEnvironment(domainEnv.table(domain), table.tableName);
      const indexes = domain.table.indexes.filter((index) => index.projection === 'keys');
      // No read of the items themselves: the keys from the index, then a tombstone put over each.
      if (indexes.length > 0)
        this.privacy.addToRolePolicy(
          new PolicyStatement({
            actions: ['dynamodb:Query'],
            resources: indexes.map((index) => `${table.tableArn}/index/${index.name}`),
          }),
        );
      this.privacy.addToRolePolicy(
        new PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [table.tableArn] }),
      );
    }
    props.events.addEnvironment(ENV.eventUserIds, settings.eventUserIds);
    if (state.eventUserIdKey !== undefined)
      props.events.bindSecretRead(state.eventUserIdKey, ENV.eventUserIdKeyArn);
  }
}
