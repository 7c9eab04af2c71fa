import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { DomainManifest } from '../../shared/platform/domain/domain.js';
import {
  CONTROL_TABLE,
  CONTROL_TTL_ATTRIBUTE,
  type TableDefinition,
} from '../../shared/platform/store/tables.js';

const attribute = (name: string) => ({ name, type: AttributeType.STRING });

/**
 * Each domain's table (and the control table), from the same key definitions local mode uses: on-demand, point-in-time
 * recovery, deletion protection, and retained when the stack is deleted (they are the system of record).
 */
export class StateTables extends Construct {
  /** Each domain's table by domain name, and `control`. */
  public readonly tables: Record<string, Table>;

  public constructor(scope: Construct, id: string, domains: readonly DomainManifest[]) {
    super(scope, id);
    // Each domain's table streams every change (before and after) to the domain-events function.
    const make = (name: string, definition: TableDefinition, timeToLiveAttribute?: string): Table => {
      const table = new Table(this, name, {
        partitionKey: attribute(definition.partitionKey),
        ...(definition.sortKey === undefined ? {} : { sortKey: attribute(definition.sortKey) }),
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        encryption: TableEncryption.AWS_MANAGED,
        removalPolicy: RemovalPolicy.RETAIN,
        ...(timeToLiveAttribute === undefined ? {} : { timeToLiveAttribute }),
        ...(name === 'control' ? {} : { stream: StreamViewType.NEW_AND_OLD_IMAGES }),
      });
      for (const index of definition.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: attribute(index.partitionKey),
          ...(index.sortKey === undefined ? {} : { sortKey: attribute(index.sortKey) }),
          projectionType: index.keysOnly === true ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
        });
      }
      return table;
    };
    this.tables = Object.fromEntries(domains.map((domain) => [domain.name, make(domain.name, domain.table)]));
    this.tables.control = make('control', CONTROL_TABLE, CONTROL_TTL_ATTRIBUTE);
  }
}
