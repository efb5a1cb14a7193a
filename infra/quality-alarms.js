'use strict';

// The data-quality alarms' thresholds (docs/contract/alerts.md, "Data-quality alarms"), read at
// package time from the quality policy's one set of defaults (libs/domain/src/quality-policy-defaults.json,
// which libs/domain's quality-policy.ts reads too), so that the alarms fire where the promotion
// gate blocks: a quarantine rate of the gate's limit or more, the gate's condemned limit or more.
// serverless.yml: `${file(./quality-alarms.js):quarantineRatePercent}`, `...:condemnedRows`.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const POLICY = join(__dirname, '..', 'libs', 'domain', 'src', 'quality-policy-defaults.json');
// The domain's rate format (quality-policy.ts, parseRate): a decimal between 0 and 1, at most 9 decimals.
const RATE = /^(0|1)(?:\.(\d{1,9}))?$/;

const { gate } = JSON.parse(readFileSync(POLICY, 'utf8'));

/** A rate written as a decimal (`0.05`) as a percentage (`5`): the decimal point moved by two digits, not multiplied in floats. */
function percent(rate) {
  const match = typeof rate === 'string' ? RATE.exec(rate) : null;
  if (match === null || (match[1] === '1' && /[1-9]/.test(match[2] ?? ''))) {
    throw new Error(`infra: the gate's quarantine rate ${JSON.stringify(rate)} in ${POLICY} is not a decimal between 0 and 1`);
  }
  const digits = (match[2] ?? '').padEnd(2, '0');
  return Number(`${match[1]}${digits.slice(0, 2)}.${digits.slice(2) || '0'}`);
}

const condemnedRows = gate.promoteBelowCondemnedRows;
if (!Number.isSafeInteger(condemnedRows) || condemnedRows < 1) {
  throw new Error(`infra: the gate's condemned rows ${JSON.stringify(condemnedRows)} in ${POLICY} is not a positive integer`);
}

module.exports = {
  /** The gate's quarantine-rate limit in percent (`0.05` → 5): the alarm fires at this rate or more. */
  quarantineRatePercent: percent(gate.promoteBelowQuarantineRate),
  /** The gate's condemned-rows limit: the alarm fires at this many condemned rows or more. */
  condemnedRows,
};
