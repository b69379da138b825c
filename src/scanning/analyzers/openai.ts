import OpenAI from 'openai';
import { z } from 'zod';
import { threatCategories, severities } from '../../db/schema/enums.ts';
import type { CandidateFinding, MonitorProfile, Verdict } from './types.ts';

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

const SYSTEM_PROMPT = [
  'You are a brand-protection analyst. For each web finding about the monitored brand, decide whether it is a threat',
  'to the brand: phishing or look-alike domains, impersonation, leaked data, fraud, trademark abuse, or damaging press.',
  'Ordinary news, reviews and the brand’s own pages are not threats. Reply with one result per finding, using its index,',
  'a category, a severity (low, medium, high, critical), a confidence between 0 and 1, and a one-line rationale.',
].join(' ');

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
  profile: MonitorProfile,
  findings: readonly CandidateFinding[],
): Promise<BatchResult> {
  const request = {
    monitor: { kind: profile.kind, terms: profile.terms, excludeTerms: profile.excludeTerms, ownDomains: profile.ownDomains },
    findings: findings.map((f, index) => ({ index, url: f.url, title: f.title, snippet: f.snippet })),
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
