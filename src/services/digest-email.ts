import type { DigestReport } from './digest-report.ts';

export interface DigestEmail {
  subject: string;
  text: string;
  html: string;
}

const SEVERITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const usd = (amount: number) => (amount > 0 && amount < 0.005 ? 'under $0.01' : `$${amount.toFixed(2)}`);

/** The digest as an email with a plain-text and an HTML part saying the same thing. */
export function renderDigestEmail(report: DigestReport): DigestEmail {
  const { alerts, highAndCritical, topMonitors, spend } = report;
  const subject = `Vigil digest for ${report.organization.name}, ${report.date}: ${plural(alerts.total, 'new alert')}`;
  const severityLine = SEVERITY_ORDER.map((s) => `${s.toLowerCase()} ${alerts.bySeverity[s]}`).join(', ');
  const unlisted = highAndCritical.total - highAndCritical.items.length;
  const spendLine = `${plural(spend.scans, 'scan')}, ${plural(spend.creditsSpent, 'credit')}, ${usd(spend.costUsd)} of LLM usage`;

  const text = [
    `Vigil daily digest — ${report.organization.name}, ${report.date} (UTC)`,
    '',
    `New alerts: ${alerts.total} (${severityLine})`,
    '',
    `High and critical alerts (${highAndCritical.total}):`,
    ...(highAndCritical.items.length === 0 ? ['  none'] : []),
    ...highAndCritical.items.map((a) => `  [${a.severity}] ${a.title} — ${a.monitor.name}${a.url ? `\n    ${a.url}` : ''}`),
    ...(unlisted > 0 ? [`  …and ${unlisted} more`] : []),
    '',
    'Top monitors:',
    ...(topMonitors.length === 0 ? ['  none'] : topMonitors.map((m) => `  ${m.monitor.name}: ${plural(m.alerts, 'alert')}`)),
    '',
    `Spend: ${spendLine}`,
    '',
    'You receive this because you opted in to the daily digest; the setDigestOptIn mutation turns it off.',
  ].join('\n');

  const cell = 'style="padding:2px 8px;text-align:left"';
  const html = `<!doctype html>
<html><body style="font-family:sans-serif">
<h1 style="font-size:18px">Vigil daily digest — ${escapeHtml(report.organization.name)}, ${report.date} (UTC)</h1>
<h2 style="font-size:15px">New alerts: ${alerts.total}</h2>
<table><tr>${SEVERITY_ORDER.map((s) => `<th ${cell}>${s.toLowerCase()}</th>`).join('')}</tr>
<tr>${SEVERITY_ORDER.map((s) => `<td ${cell}>${alerts.bySeverity[s]}</td>`).join('')}</tr></table>
<h2 style="font-size:15px">High and critical alerts (${highAndCritical.total})</h2>
${
  highAndCritical.items.length === 0
    ? '<p>None.</p>'
    : `<ul>${highAndCritical.items
        .map(
          (a) =>
            `<li><strong>${a.severity}</strong> ${a.url ? `<a href="${escapeHtml(a.url)}">${escapeHtml(a.title)}</a>` : escapeHtml(a.title)} — ${escapeHtml(a.monitor.name)}</li>`,
        )
        .join('\n')}</ul>${unlisted > 0 ? `<p>…and ${unlisted} more.</p>` : ''}`
}
<h2 style="font-size:15px">Top monitors</h2>
${
  topMonitors.length === 0
    ? '<p>None.</p>'
    : `<ol>${topMonitors.map((m) => `<li>${escapeHtml(m.monitor.name)}: ${plural(m.alerts, 'alert')}</li>`).join('')}</ol>`
}
<h2 style="font-size:15px">Spend</h2>
<p>${spendLine}</p>
<p style="color:#666;font-size:12px">You receive this because you opted in to the daily digest; the setDigestOptIn mutation turns it off.</p>
</body></html>
`;
  return { subject, text, html };
}
