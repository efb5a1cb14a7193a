// Records each jest run's totals in $LEDGERLAKE_TEST_TOTALS (when set) so that a script running
// many projects can print one overall line (see tools/jest/print-totals.js). One file per project
// and kind of test (LEDGERLAKE_TESTS, see jest.preset.js): a project's `test` and `test:integration`
// runs each write their own, and neither overwrites the other.
const fs = require('node:fs');
const path = require('node:path');

class TotalsReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.LEDGERLAKE_TEST_TOTALS;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const name = path.basename(this.globalConfig.rootDir);
    const kind = process.env.LEDGERLAKE_TESTS;
    const totals = {
      project: name,
      kind: kind ?? 'all',
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    fs.writeFileSync(path.join(dir, `${name}.${totals.kind}.json`), JSON.stringify(totals));
  }
}

module.exports = TotalsReporter;
