import type { ScanningConfig } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../lib/logger.ts';
import { selectSplit, type Dataset, type Split } from './dataset.ts';
import { evaluateDataset, type EvaluationRun, type FindingOutcome } from './evaluate.ts';
import { computeMetrics, formatReport, type DetectionMetrics } from './metrics.ts';
import { startOracle } from './oracle.ts';

export type AnalyzerChoice = 'rules' | 'llm' | 'oracle';

export interface TokenFigures {
  promptTokens: number;
  completionTokens: number;
  findingsSent: number;
  /** (prompt + completion) / findings sent. */
  perFinding: number;
}

export interface HarnessResult extends DetectionMetrics {
  analyzer: AnalyzerChoice;
  split: Split;
  tokens: TokenFigures | null;
  /** The same findings sent one per call, for comparison (oracle only). */
  tokensOneCallPerFinding: TokenFigures | null;
  outcomes: FindingOutcome[];
}

export interface HarnessOptions {
  db: Db;
  config: ScanningConfig;
  logger: Logger;
  analyzer: AnalyzerChoice;
  split: Split;
  /** Findings per LLM call; default the configured `OPENAI_BATCH_SIZE`. */
  batchSize?: number;
  /** With the oracle: also run one call per finding to compare tokens. */
  isTokenComparison?: boolean;
}

function tokenFigures(run: EvaluationRun): TokenFigures {
  const total = run.promptTokens + run.completionTokens;
  return {
    promptTokens: run.promptTokens,
    completionTokens: run.completionTokens,
    findingsSent: run.sentToLlm,
    perFinding: run.sentToLlm === 0 ? 0 : Math.round((total / run.sentToLlm) * 10) / 10,
  };
}

/** Evaluates the data set's split with the chosen analyzer: the figures, and each finding's outcome. */
export async function runHarness(dataset: Dataset, options: HarnessOptions): Promise<HarnessResult> {
  const selected = selectSplit(dataset, options.split);
  const withBatch = (config: ScanningConfig, batchSize: number | undefined, baseUrl?: string, apiKey?: string): ScanningConfig => ({
    ...config,
    openai: { ...config.openai, batchSize: batchSize ?? config.openai.batchSize, ...(baseUrl ? { baseUrl } : {}), ...(apiKey ? { apiKey } : {}) },
  });
  const evaluate = (config: ScanningConfig) => evaluateDataset(options.db, selected, { config, openaiApiKey: options.analyzer === 'rules' ? undefined : config.openai.apiKey, logger: options.logger });

  if (options.analyzer === 'rules') {
    const run = await evaluate(withBatch(options.config, options.batchSize));
    return { ...computeMetrics(run.outcomes), analyzer: 'rules', split: options.split, tokens: null, tokensOneCallPerFinding: null, outcomes: run.outcomes };
  }
  if (options.analyzer === 'llm') {
    if (!options.config.openai.apiKey) throw new Error('--analyzer llm needs OPENAI_API_KEY (and OPENAI_BASE_URL for a server other than OpenAI)');
    const run = await evaluate(withBatch(options.config, options.batchSize));
    return { ...computeMetrics(run.outcomes), analyzer: 'llm', split: options.split, tokens: tokenFigures(run), tokensOneCallPerFinding: null, outcomes: run.outcomes };
  }
  const oracle = await startOracle(selected.findings);
  try {
    const run = await evaluate(withBatch(options.config, options.batchSize, oracle.baseUrl, 'oracle'));
    const single = options.isTokenComparison ? await evaluate(withBatch(options.config, 1, oracle.baseUrl, 'oracle')) : undefined;
    return {
      ...computeMetrics(run.outcomes),
      analyzer: 'oracle',
      split: options.split,
      tokens: tokenFigures(run),
      tokensOneCallPerFinding: single ? tokenFigures(single) : null,
      outcomes: run.outcomes,
    };
  } finally {
    await oracle.close();
  }
}

/** What `--json` prints: the figures, and the misses and false alarms with Vigil's reasons. */
export function harnessJson(result: HarnessResult) {
  const { outcomes, ...figures } = result;
  const brief = (o: FindingOutcome) => ({ id: o.finding.id, url: o.finding.url, label: o.finding.label, verdict: o.isFlagged ? { category: o.category, severity: o.severity } : null, reason: o.reason });
  return {
    ...figures,
    misses: outcomes.filter((o) => o.finding.label.isThreat && !o.isFlagged).map(brief),
    falseAlarms: outcomes.filter((o) => !o.finding.label.isThreat && o.isFlagged).map(brief),
  };
}

export function harnessReport(result: HarnessResult): string {
  const extra: string[] = [];
  if (result.tokens) {
    extra.push(`LLM: ${result.tokens.findingsSent} findings sent, ${result.tokens.promptTokens} prompt + ${result.tokens.completionTokens} completion tokens, ${result.tokens.perFinding} per finding`);
  }
  if (result.tokens && result.tokensOneCallPerFinding) {
    const share = result.tokensOneCallPerFinding.perFinding === 0 ? 0 : result.tokens.perFinding / result.tokensOneCallPerFinding.perFinding;
    extra.push(`one call per finding: ${result.tokensOneCallPerFinding.perFinding} tokens per finding; batched uses ${(share * 100).toFixed(1)}% of that`);
  }
  return formatReport(`${result.analyzer} on the ${result.split} split`, result, result.outcomes, extra);
}
