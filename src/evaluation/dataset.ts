import fs from 'node:fs';
import { z } from 'zod';
import { monitorKinds, severities, threatCategories, type SourceKind } from '../db/schema/enums.ts';
import { brandProfileSectionsSchema } from '../services/brand-profile-shape.ts';

/**
 * The labeled-data interchange format (version 1): organizations with their monitors and brand
 * profile, and findings labeled threat or not, with category and severity. Lowercase values of its
 * own, so anyone can bring labeled data without knowing Vigil's API.
 */
const labelSchema = z
  .object({
    isThreat: z.boolean(),
    category: z.enum(threatCategories).nullable(),
    severity: z.enum(severities).nullable(),
  })
  .refine((label) => !label.isThreat || (label.category !== null && label.severity !== null), 'a threat needs a category and a severity');

const monitorSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  kind: z.enum(monitorKinds),
  terms: z.array(z.string().min(1)).default([]),
  excludeTerms: z.array(z.string().min(1)).default([]),
  domain: z.string().min(1).optional(),
});

const organizationSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  sector: z.string().optional(),
  split: z.enum(['dev', 'heldout']).default('dev'),
  ownDomains: z.array(z.string().min(1)).default([]),
  profile: brandProfileSectionsSchema.optional(),
  monitors: z.array(monitorSchema).min(1),
});

const findingSchema = z.object({
  id: z.string().min(1),
  monitorId: z.string().min(1),
  source: z.enum(['web_search', 'rss', 'hackernews', 'ct_log']),
  url: z.string().min(1),
  title: z.string().default(''),
  snippet: z.string().default(''),
  lang: z.string().optional(),
  label: labelSchema,
});

export const datasetSchema = z.object({
  version: z.literal(1),
  policy: z.string().optional(),
  organizations: z.array(organizationSchema).min(1),
  findings: z.array(findingSchema),
});

export type Dataset = z.infer<typeof datasetSchema>;
export type LabeledFinding = Dataset['findings'][number];
export type LabeledOrganization = Dataset['organizations'][number];
export type Split = 'dev' | 'heldout' | 'all';

/** The interchange format's source names, as Vigil's sources call themselves. */
export const SOURCE_OF: Record<LabeledFinding['source'], SourceKind> = {
  web_search: 'google',
  rss: 'rss',
  hackernews: 'hackernews',
  ct_log: 'certstream',
};

export function parseDataset(json: unknown): Dataset {
  const parsed = datasetSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`not a labeled data set (version 1):\n  ${issues.join('\n  ')}`);
  }
  const dataset = parsed.data;
  const monitorIds = new Set(dataset.organizations.flatMap((o) => o.monitors.map((m) => m.id)));
  const unknown = dataset.findings.filter((f) => !monitorIds.has(f.monitorId));
  if (unknown.length > 0) throw new Error(`findings name monitors that no organization has: ${unknown.slice(0, 5).map((f) => `${f.id} → ${f.monitorId}`).join(', ')}`);
  return dataset;
}

export function readDataset(file: string): Dataset {
  return parseDataset(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** The organizations of a split, and their findings. */
export function selectSplit(dataset: Dataset, split: Split): Dataset {
  if (split === 'all') return dataset;
  const organizations = dataset.organizations.filter((o) => o.split === split);
  const monitorIds = new Set(organizations.flatMap((o) => o.monitors.map((m) => m.id)));
  return { ...dataset, organizations, findings: dataset.findings.filter((f) => monitorIds.has(f.monitorId)) };
}
