import type { ScanningConfig } from '../../config.ts';
import type { SourceKind } from '../../db/schema/enums.ts';
import type { MonitorRow } from '../../services/monitors.ts';
import type { FetchOptions } from '../http.ts';

/** One result as a source returned it, before canonicalization. */
export interface RawFinding {
  source: SourceKind;
  url: string;
  title: string;
  snippet: string;
}

export interface SourceContext {
  monitor: MonitorRow;
  config: ScanningConfig;
  fetchOptions: FetchOptions;
  /** Varies per scan; the demo source derives its findings from it. */
  seed: string;
  /** Reports a partial failure (one feed of several) without failing the source. */
  warn(message: string): void;
}

export interface Source {
  kind: SourceKind;
  fetch(context: SourceContext): Promise<RawFinding[]>;
}

/** Search query from the monitor: any term, none of the exclusions. */
export function searchQuery(monitor: Pick<MonitorRow, 'terms' | 'excludeTerms'>): string {
  const quote = (term: string) => (/\s/.test(term) ? `"${term.replaceAll('"', '')}"` : term);
  const terms = monitor.terms.map(quote).join(' OR ');
  const exclusions = monitor.excludeTerms.map((term) => `-${quote(term)}`).join(' ');
  return [monitor.terms.length > 1 ? `(${terms})` : terms, exclusions].filter(Boolean).join(' ');
}

export function stripHtml(value: string | null | undefined): string {
  return (value ?? '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

export function truncate(value: string, length: number): string {
  return value.length <= length ? value : `${value.slice(0, length - 1)}…`;
}
