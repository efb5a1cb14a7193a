import { type DatasetSpec, defineDataset } from '@ledgerlake/domain';

/**
 * A second dataset for tests (docs/contract/rules.md, "Datasets"): card payments, other names for
 * the same five roles, its own path and Silver table, no Gold. Registered nowhere but in the tests
 * that use it.
 */
export const PAYMENTS_DATASET: DatasetSpec = defineDataset({
  path: 'cards/payments',
  schemaVersion: 'v1',
  columns: {
    id: { input: 'PaymentRef', raw: 'payment_ref' },
    account: { input: 'CardholderID', raw: 'cardholder_id' },
    amount: { input: 'Amount', raw: 'amount' },
    currency: { input: 'Currency', raw: 'currency' },
    timestamp: { input: 'PaidAt', raw: 'paid_at' },
  },
  businessKey: ['id', 'timestamp'],
  partitioning: { by: 'timestamp', grain: 'year/month' },
  silver: { table: 'silver.payments' },
  gold: false,
});
