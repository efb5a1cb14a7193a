// Sums the per-project totals written by totals-reporter.js and prints one closing line:
// "tests: N passed, N failed, N skipped". Exits non-zero when nothing ran or anything failed.
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
const sum = { passed: 0, failed: 0, skipped: 0 };
for (const file of files) {
  const t = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  sum.passed += t.passed;
  sum.failed += t.failed;
  sum.skipped += t.skipped;
}
console.log(`${files.length} projects tested`);
console.log(`tests: ${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped`);
process.exit(files.length === 0 || sum.passed === 0 || sum.failed > 0 ? 1 : 0);
