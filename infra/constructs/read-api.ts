import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ENV } from '../../shared/platform/constants.js';
import { TABLES } from '../../shared/platform/store/tables.js';
import type { StatefulResources } from './stateful.js';
import { SwitchboardFunction } from './switchboard-function.js';

/** The read API: reads only (thread reads live with the actions function, which may ask Meta). */
export class ReadApi extends Construct {
  public readonly api: SwitchboardFunction;

  public constructor(scope: Construct, id: string, state: StatefulResources) {
    super(scope, id);
    const { tables } = state;
    this.api = new SwitchboardFunction(this, 'ReadApi', {
      name: 'api',
      invokedBy: 'api',
      timeout: Duration.seconds(10),
    })
      .bindTable(tables.solutions, 'RO', ENV.solutionsTable)
      .bindTable(
        tables.wabas,
        'RO',
        ENV.wabasTable,
        TABLES.wabas.indexes.map((index) => index.name),
      )
      .bindTable(tables.threads, 'RO', ENV.threadsTable);
  }
}
