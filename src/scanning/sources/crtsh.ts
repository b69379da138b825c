import { z } from 'zod';
import { fetchJson } from '../http.ts';
import { brandDomains, lookAlikeOf, unicodeHost } from '../detection/domains.ts';
import { domainPermutations, splitDomain } from './permutations.ts';
import type { RawFinding, Source } from './types.ts';

const certificateSchema = z.array(
  z.object({
    name_value: z.string(),
    common_name: z.string().nullish(),
    issuer_name: z.string().nullish(),
    not_before: z.string().nullish(),
  }),
);

/**
 * Whether a certificate name looks like the monitored domain without being it. Names are IDN-decoded
 * first, so a Cyrillic or Greek homoglyph (`xn--…` in the logs) is compared by its skeleton.
 */
export function isLookAlike(candidate: string, domain: string): boolean {
  const name = unicodeHost(candidate.replace(/^\*\./, ''));
  return lookAlikeOf(name, brandDomains([domain], [])) !== undefined;
}

/**
 * Certificate transparency through crt.sh: certificates issued for names that contain the brand
 * label (`%acme%`) are checked for look-alikes of the monitored domain, and the known permutations
 * (typos, homoglyphs, TLD swaps, added words) that appear in the logs are reported.
 */
export const certificateSource: Source = {
  kind: 'certstream',
  async fetch({ monitor, config, fetchOptions }) {
    const findings: RawFinding[] = [];
    const seen = new Set<string>();
    for (const domain of monitor.terms.filter((t) => t.includes('.')).slice(0, 5)) {
      const normalized = domain.toLowerCase().trim();
      const { label } = splitDomain(normalized);
      const permutations = new Set(domainPermutations(normalized));
      const url = new URL(config.crtshBaseUrl.replace(/\/$/, ''));
      url.searchParams.set('q', `%${label}%`);
      url.searchParams.set('output', 'json');
      const certificates = certificateSchema.parse(await fetchJson(url.toString(), fetchOptions));
      for (const certificate of certificates) {
        for (const rawName of certificate.name_value.split(/\s+/)) {
          const name = rawName.toLowerCase().replace(/^\*\./, '');
          if (seen.has(name) || !(permutations.has(name) || isLookAlike(name, normalized))) continue;
          seen.add(name);
          findings.push({
            source: 'certstream',
            url: `https://${name}/`,
            title: `Certificate issued for look-alike domain ${name}`,
            snippet: `A TLS certificate for ${name}, resembling ${normalized}, appeared in certificate transparency logs${
              certificate.issuer_name ? ` (issuer: ${certificate.issuer_name})` : ''
            }${certificate.not_before ? `, valid from ${certificate.not_before}` : ''}.`,
          });
        }
      }
    }
    return findings;
  },
};
