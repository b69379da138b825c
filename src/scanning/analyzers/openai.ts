import OpenAI from 'openai';
import { z } from 'zod';
import { threatCategories, severities } from '../../db/schema/enums.ts';
import type { SourceKind } from '../../db/schema/enums.ts';
import { hostOf } from '../canonical.ts';
import { unicodeHost } from '../detection/domains.ts';
import { CATEGORY_DEFINITIONS, NOT_THREATS, SEVERITY_RUBRIC } from '../detection/policy.ts';
import type { CandidateFinding, Verdict } from './types.ts';

/** How the prompt names each source: what kind of place the finding comes from. */
const SOURCE_NAMES: Record<SourceKind, string> = {
  google: 'web search result',
  rss: 'news or alert feed item',
  hackernews: 'Hacker News post or comment',
  certstream: 'certificate transparency log (a certificate issued for this name)',
  demo: 'demo source',
};

export interface OpenAiSettings {
  apiKey: string;
  baseUrl: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
  priceInputPerMTok: number;
  priceOutputPerMTok: number;
}

export interface BatchResult {
  /** Verdict per finding index in the batch; a finding the model left out is absent. */
  verdicts: Map<number, Verdict>;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

const verdictSchema = z.object({
  index: z.number().int().min(0),
  isThreat: z.boolean(),
  category: z.enum(threatCategories),
  severity: z.enum(severities),
  confidence: z.number().min(0).max(1),
  rationale: z.string().min(1).max(1_000),
});
const responseSchema = z.object({ results: z.array(verdictSchema) });

/** The same shape as JSON Schema for structured outputs (strict mode needs every field required). */
const JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['index', 'isThreat', 'category', 'severity', 'confidence', 'rationale'],
        properties: {
          index: { type: 'integer' },
          isThreat: { type: 'boolean' },
          category: { type: 'string', enum: [...threatCategories] },
          severity: { type: 'string', enum: [...severities] },
          confidence: { type: 'number' },
          rationale: { type: 'string' },
        },
      },
    },
  },
} as const;

/**
 * The instructions every call carries: the task, the category definitions, the severity rubric
 * and what is not a threat. Written once; the per-batch context goes in the user message.
 */
export const SYSTEM_PROMPT = [
  'You are a brand-protection analyst. For each web finding, decide whether it is a threat to the organization named in the request,',
  'given its monitor, its brand profile (official names, domains, products, people, handles, apps, partners and platforms) and where the finding came from (source).',
  'Judge intent and attribution: who is speaking, what the page asks for or offers, where it is hosted, and whom an incident is about.',
  '',
  'Categories:',
  ...threatCategories.map((category) => `- ${category}: ${CATEGORY_DEFINITIONS[category]}`),
  '',
  'Severity:',
  ...severities.map((severity) => `- ${severity}: ${SEVERITY_RUBRIC[severity]}`),
  '',
  'Not threats:',
  ...NOT_THREATS.map((line) => `- ${line}`),
  '',
  'Reply with one result per finding, by its index: isThreat, category, severity, a confidence between 0 and 1, and a one-line rationale.',
  'For a finding that is not a threat, give the closest category and severity low.',
].join('\n');

/** What a batch is judged against, besides the findings. */
export interface BatchContext {
  organization: string;
  monitor: { name: string; kind: string; terms: readonly string[]; excludeTerms: readonly string[] };
  officialDomains: readonly string[];
  /** The profile entries relevant to this batch (all of them when the profile fits the budget). */
  profileEntries: readonly string[];
}

export class AnalyzerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AnalyzerUnavailableError';
  }
}

export function createOpenAiClient(settings: OpenAiSettings): OpenAI {
  // The SDK retries 408/409/429/5xx and connection errors with exponential backoff by itself.
  return new OpenAI({ apiKey: settings.apiKey, baseURL: settings.baseUrl, timeout: settings.timeoutMs, maxRetries: settings.maxRetries });
}

/**
 * Judges several findings in one chat completion with structured output. Throws
 * AnalyzerUnavailableError when the API keeps failing or answers something that does not validate.
 */
export async function analyzeBatch(
  client: OpenAI,
  settings: OpenAiSettings,
  context: BatchContext,
  findings: readonly CandidateFinding[],
): Promise<BatchResult> {
  const request = {
    organization: context.organization,
    monitor: context.monitor,
    officialDomains: context.officialDomains,
    profile: context.profileEntries,
    findings: findings.map((f, index) => {
      const host = unicodeHost(hostOf(f.url));
      return { index, source: SOURCE_NAMES[f.source], url: f.url, ...(host !== hostOf(f.url) ? { host } : {}), title: f.title, snippet: f.snippet };
    }),
  };
  let completion: OpenAI.Chat.Completions.ChatCompletion;
  try {
    completion = await client.chat.completions.create({
      model: settings.model,
      temperature: 0,
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: JSON.stringify(request) },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'finding_verdicts', strict: true, schema: JSON_SCHEMA as never } },
    });
  } catch (error) {
    throw new AnalyzerUnavailableError(`the LLM call failed: ${(error as Error).message}`, { cause: error });
  }
  const promptTokens = completion.usage?.prompt_tokens ?? 0;
  const completionTokens = completion.usage?.completion_tokens ?? 0;
  const costUsd = (promptTokens * settings.priceInputPerMTok + completionTokens * settings.priceOutputPerMTok) / 1_000_000;
  const content = completion.choices[0]?.message?.content ?? '';
  let parsed: z.infer<typeof responseSchema>;
  try {
    parsed = responseSchema.parse(JSON.parse(content));
  } catch (error) {
    throw Object.assign(new AnalyzerUnavailableError(`the LLM answered something that is not a valid verdict list: ${(error as Error).message.slice(0, 200)}`), {
      usage: { promptTokens, completionTokens, costUsd },
    });
  }
  const verdicts = new Map<number, Verdict>();
  for (const result of parsed.results) {
    if (result.index < findings.length) {
      verdicts.set(result.index, {
        isThreat: result.isThreat,
        category: result.category,
        severity: result.severity,
        confidence: result.confidence,
        rationale: result.rationale,
      });
    }
  }
  return { verdicts, promptTokens, completionTokens, costUsd };
}
