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
import {
  CONTROL_TTL_ATTRIBUTE,
  TABLES,
  type TableDefinition,
  type TableName,
} from '../../shared/platform/store/tables.js';

const attribute = (name: string) => ({ name, type: AttributeType.STRING });

/**
 * The state tables (and the control table), from the same key definitions local mode uses: on-demand, point-in-time
 * recovery, deletion protection, and retained when the stack is deleted (they are the system of record).
 */
export class StateTables extends Construct {
  public readonly tables: Record<TableName, Table>;

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    // The three state tables stream every change (before and after) to the domain-events function.
    const make = (name: TableName, definition: TableDefinition, timeToLiveAttribute?: string): Table => {
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
          projectionType: ProjectionType.ALL,
        });
      }
      return table;
    };
    this.tables = {
      solutions: make('solutions', TABLES.solutions),
      wabas: make('wabas', TABLES.wabas),
      threads: make('threads', TABLES.threads),
      control: make('control', TABLES.control, CONTROL_TTL_ATTRIBUTE),
    };
  }
}
