/**
 * Formats of credentials that are dangerous when they appear in public, after the rules of
 * secretlint's recommended preset (AWS, GCP, GitHub, Slack, npm, private keys, basic-auth URLs,
 * database connection strings…) and the published token formats of Stripe, SendGrid, OpenAI and
 * Google. Compiled once per process.
 */
const SECRET_PATTERNS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'AWS access key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/ },
  { name: 'AWS secret key', pattern: /aws.{0,20}secret.{0,20}[:=]\s*["']?[A-Za-z0-9/+=]{40}\b/i },
  { name: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/ },
  { name: 'Slack token', pattern: /\bxox[abposr]-(?:[0-9A-Za-z]{1,}-){1,3}[0-9A-Za-z]{6,}\b/ },
  { name: 'Slack webhook', pattern: /hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/ },
  { name: 'private key', pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY(?: BLOCK)?-----/ },
  { name: 'Stripe key', pattern: /\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}\b/ },
  { name: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'GCP service account key', pattern: /"type"\s*:\s*"service_account"/ },
  { name: 'npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { name: 'SendGrid key', pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/ },
  { name: 'OpenAI key', pattern: /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b/ },
  { name: 'credentials in a URL', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s:/@]{3,}@[\w.-]+/i },
  { name: 'database connection string', pattern: /\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqp):\/\/[^\s:/@]+:[^\s@]+@/i },
  { name: 'JSON web token', pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/ },
];

/**
 * A literal every format above contains, as that format spells it (only the AWS secret and the
 * URL formats ignore case): text without any of them holds no secret, and skips the patterns.
 */
const ANY_SECRET_AS_SPELLED = /AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox|hooks\.slack|-----BEGIN|_live_|_test_|AIza|service_account|npm_|SG\.|T3BlbkFJ|eyJ/;
const SECRET_WORD = /secret/i;

/** Names of the secret formats found in `text`, at most once each. */
export function findSecrets(text: string): string[] {
  if (!ANY_SECRET_AS_SPELLED.test(text) && !text.includes('://') && !SECRET_WORD.test(text)) return [];
  return SECRET_PATTERNS.filter(({ pattern }) => pattern.test(text)).map(({ name }) => name);
}

/**
 * A credential written out as a setting (`DB_PASSWORD=…`, `api_key: "…"`, `pass: …`), as in a
 * leaked `.env`, config or paste: a name that says secret, then a value that is not a placeholder.
 * Formats of their own (above) are recognized more surely; this catches every other vendor's and
 * the organization's own.
 */
const ASSIGNMENT = /(?<![\w.-])(?:[\w.-]*[_.-])?(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret)["']?\s*[:=]\s*["']?([^\s"'<>,;]{6,})/gi;
const PLACEHOLDER = /^(?:x{3,}|\*+|\.{2,}|\$|\{|%|your|my[_-]|<|changeme|change[_-]?me|example|placeholder|redacted|secret|password|token|test|dummy|sample|null|none|undefined|true|false|process\.env|env\(|os\.environ|getenv|abc123|123456|replace)/i;
/** How every setting's name above ends, lowercased: what comes right before its `:` or `=` (after a quote at most). */
const ASSIGNMENT_NAME_ENDINGS = ['pass', 'word', 'wd', 'pwd', 'secret', 'token', 'key'];
const SPACE = /\s/;

/** Whether some `:` or `=` in `text` follows a name ending as a setting's does; found without a pattern, since most text has none. */
function hasAssignmentSign(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code !== 58 && code !== 61) continue;
    let end = i;
    while (end > 0 && SPACE.test(text[end - 1]!)) end -= 1;
    if (end > 0 && (text[end - 1] === '"' || text[end - 1] === "'")) end -= 1;
    const before = text.slice(Math.max(0, end - 6), end).toLowerCase();
    if (ASSIGNMENT_NAME_ENDINGS.some((ending) => before.endsWith(ending))) return true;
  }
  return false;
}

/** How many credentials are written out as settings in `text`. */
export function countCredentialAssignments(text: string): number {
  if (!hasAssignmentSign(text)) return 0;
  let count = 0;
  for (const match of text.matchAll(ASSIGNMENT)) if (!PLACEHOLDER.test(match[1]!) && !/x{4,}|\.{3}|…/i.test(match[1]!)) count += 1;
  return count;
}

/** `user:password` pairs as combo lists and dumped logins write them (`jane@acme.com:Summer2024!`), not times or URLs. */
const PAIR = /(?<![\w/:.@-])[\p{L}\w.+-]{3,}(?:@[\w.-]+)?:(?=[^\s/:]*\d)(?=[^\s/:]*[\p{L}])[^\s/:]{6,}(?![\w:/])/gu;

/** How many `user:password` pairs `text` lists. */
/** What every pair has: a name character, a colon, then a digit before the next space. */
const PAIR_LITERAL = /\S:[^\s/:]*\d/;

export function countCredentialPairs(text: string): number {
  if (!PAIR_LITERAL.test(text)) return 0;
  return [...text.matchAll(PAIR)].length;
}
