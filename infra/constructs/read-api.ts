import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { type DomainManifest, domainEnv } from '../../shared/platform/domain/domain.js';
import type { StatefulResources } from './stateful.js';
import { SwitchboardFunction } from './switchboard-function.js';

/** The read API: reads only (thread reads live with the actions function, which may ask Meta). */
export class ReadApi extends Construct {
  public readonly api: SwitchboardFunction;

  public constructor(
    scope: Construct,
    id: string,
    state: StatefulResources,
    domains: readonly DomainManifest[],
  ) {
    super(scope, id);
    this.api = new SwitchboardFunction(this, 'ReadApi', {
      name: 'api',
      invokedBy: 'api',
      timeout: Duration.seconds(10),
    });
    for (const domain of domains) {
      const indexes = domain.table.indexes.map((index) => index.name);
      this.api.bindTable(state.table(domain.name), 'RO', domainEnv.table(domain), indexes);
    }
  }
}
