import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/client.ts';
import { readDataset, selectSplit } from '../../src/evaluation/dataset.ts';
import { harnessJson, harnessReport, runHarness } from '../../src/evaluation/harness.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { testScanningConfig } from '../helpers/scanning.ts';

const DEV_SET = path.resolve(import.meta.dirname, '../fixtures/detection/dev-set.json');
const RATCHET = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/detection/ratchet.json'), 'utf8')) as {
  rules: Record<'dev' | 'heldout', { f1: number; categoryAccuracy: number }>;
  oracle: { all: { recall: number; tokenShareOfOneCallPerFinding: number } };
};
const dataset = readDataset(DEV_SET);

let testDatabase: { url: string; drop(): Promise<void> };
let database: Database;
beforeAll(async () => {
  testDatabase = await createTestDatabase();
  database = connectDatabase(testDatabase.url, { max: 2 });
});
afterAll(async () => {
  await database?.close();
  await testDatabase?.drop();
});

const options = () => ({ db: database.db, config: testScanningConfig(), logger: createLogger('silent') });

describe('the detection harness on the dev set', () => {
  it.each(['dev', 'heldout'] as const)('rules only, %s split: F1 and category accuracy meet the ratchet', async (split) => {
    const result = await runHarness(dataset, { ...options(), analyzer: 'rules', split });
    expect(result.findings).toBe(selectSplit(dataset, split).findings.length);
    expect(result.f1).toBeGreaterThanOrEqual(RATCHET.rules[split].f1);
    expect(result.categoryAccuracy).toBeGreaterThanOrEqual(RATCHET.rules[split].categoryAccuracy);
    expect(harnessReport(result)).toContain(`rules on the ${split} split`);
  });

  it('with the oracle stand-in, recall (threats that reach the judge) meets the ratchet, and batching keeps tokens per finding within budget', async () => {
    const result = await runHarness(dataset, { ...options(), analyzer: 'oracle', split: 'all', isTokenComparison: true });
    expect(result.recall).toBeGreaterThanOrEqual(RATCHET.oracle.all.recall);
    expect(result).toMatchObject({ precision: 1, categoryAccuracy: 1, severityAgreement: 1 });
    expect(result.tokens!.findingsSent).toBeGreaterThan(0);
    expect(result.tokensOneCallPerFinding!.findingsSent).toBe(result.tokens!.findingsSent);
    expect(result.tokens!.perFinding / result.tokensOneCallPerFinding!.perFinding).toBeLessThanOrEqual(RATCHET.oracle.all.tokenShareOfOneCallPerFinding);
    expect(harnessJson(result).misses).toHaveLength(result.fn);
  });

  it('npm run eval:detection -- FILE --split heldout --json prints one JSON object with the held-out figures', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/eval-detection.ts', DEV_SET, '--split', 'heldout', '--json'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, DATABASE_URL: testDatabase.url, LOG_LEVEL: 'silent' },
      timeout: 120_000,
    });
    const printed = JSON.parse(stdout) as Record<string, unknown>;
    for (const key of ['precision', 'recall', 'f1', 'categoryAccuracy', 'severityAgreement', 'tp', 'fp', 'fn', 'tn']) expect(typeof printed[key]).toBe('number');
    expect(printed).toMatchObject({ split: 'heldout', analyzer: 'rules', findings: selectSplit(dataset, 'heldout').findings.length });
  });
});
