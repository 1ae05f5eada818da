import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { tableDefinition } from '#lib/data/table-definition.js';
import type { StageConfig } from '../stage-config.js';

const stringKey = (name: string) => ({ name, type: AttributeType.STRING });

/** The single table, shaped by `tableDefinition` (the same shape `npm start` creates in DynamoDB Local). */
export class LicenseTable extends Table {
  constructor(scope: Construct, id: string, { config }: { config: StageConfig }) {
    super(scope, id, {
      // A fixed name: ops commands and a PITR restore of a deleted table (docs/DEPLOYMENT.md) can name it.
      tableName: `license-activation-${config.stage}`,
      partitionKey: stringKey(tableDefinition.partitionKey),
      sortKey: stringKey(tableDefinition.sortKey),
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      stream: StreamViewType[tableDefinition.streamViewType],
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.deletionProtection,
      removalPolicy: config.removalPolicy,
    });
    for (const index of tableDefinition.globalSecondaryIndexes) {
      this.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }
  }
}
