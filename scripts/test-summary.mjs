// Prints one closing line for the whole run: "tests: N passed, N failed" (Vitest + Playwright JSON reports).
import { existsSync, readFileSync } from 'node:fs';

// The failures are listed again at the very end, so that a log cut to its tail still names them.
const failures = [];
const firstLines = (text, n = 6) => String(text ?? '').replace(/\u001b\[[0-9;]*m/g, '').split('\n').slice(0, n).join('\n    ');
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
  for (const file of u.testResults ?? []) {
    const name = String(file.name).replace(process.cwd() + '/', '');
    const failedTests = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const t of failedTests) failures.push(`unit ${name} › ${t.fullName ?? t.title}\n    ${firstLines(t.failureMessages?.join('\n'))}`);
    if (!failedTests.length && file.status === 'failed') failures.push(`unit ${name} (the file failed to load)\n    ${firstLines(file.message)}`);
  }
} else failed += 1;

if (e2eFile && existsSync(e2eFile)) {
  const e = JSON.parse(readFileSync(e2eFile, 'utf8'));
  passed += (e.stats?.expected ?? 0) + (e.stats?.flaky ?? 0);
  failed += e.stats?.unexpected ?? 0;
  skipped += e.stats?.skipped ?? 0;
  const walk = (suite, file) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status !== 'unexpected') continue;
        const error = test.results?.at(-1)?.error?.message;
        failures.push(`e2e ${spec.file ?? file} › ${spec.title}\n    ${firstLines(error)}`);
      }
    }
    for (const child of suite.suites ?? []) walk(child, suite.file ?? file);
  };
  for (const suite of e.suites ?? []) walk(suite, suite.file);
} else failed += 1;

if (failures.length) console.log(`\nfailed:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
