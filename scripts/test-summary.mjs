// Prints one closing line for the whole run: "tests: N passed, N failed" (Vitest + Playwright JSON reports).
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
const [unitFile, e2eFile] = process.argv.slice(2);

if (unitFile && existsSync(unitFile)) {
  const u = JSON.parse(readFileSync(unitFile, 'utf8'));
  passed += u.numPassedTests ?? 0;
  failed += u.numFailedTests ?? 0;
  // A test file that fails to load has no failed tests of its own: count the file.
  if (!u.numFailedTests && u.numFailedTestSuites) failed += u.numFailedTestSuites;
  skipped += (u.numPendingTests ?? 0) + (u.numTodoTests ?? 0);
} else failed += 1;

if (e2eFile && existsSync(e2eFile)) {
  const e = JSON.parse(readFileSync(e2eFile, 'utf8'));
  passed += (e.stats?.expected ?? 0) + (e.stats?.flaky ?? 0);
  failed += e.stats?.unexpected ?? 0;
  skipped += e.stats?.skipped ?? 0;
} else failed += 1;

console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
