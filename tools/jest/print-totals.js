// Sums the totals that totals-reporter.js wrote, one file per jest run (a project's unit run and its
// integration run each have one), and prints one closing line: "tests: N passed, N failed,
// N skipped". Exits non-zero when anything failed, or when nothing ran: no run at all, or a kind
// of test (unit, integration) whose runs together passed no test.
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
const sum = { passed: 0, failed: 0, skipped: 0 };
const projects = new Set();
const passedByKind = new Map();
for (const file of files) {
  const t = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  projects.add(t.project);
  passedByKind.set(t.kind, (passedByKind.get(t.kind) ?? 0) + t.passed);
  sum.passed += t.passed;
  sum.failed += t.failed;
  sum.skipped += t.skipped;
}
const idle = [...passedByKind].filter(([, passed]) => passed === 0).map(([kind]) => kind);
console.log(`${projects.size} projects tested in ${files.length} jest runs`);
if (idle.length > 0) console.log(`no test passed in the ${idle.join(', ')} runs`);
console.log(`tests: ${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped`);
process.exit(files.length === 0 || sum.passed === 0 || idle.length > 0 || sum.failed > 0 ? 1 : 0);
