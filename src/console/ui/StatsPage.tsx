import { useMemo } from 'react';
import { useQuery } from 'urql';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ConsoleAlertStatsDocument } from '../generated/graphql.ts';
import { label } from './labels.ts';

const DAYS = 30;
const SEVERITY_COLORS = { low: '#6b8fb3', medium: '#d4a017', high: '#e06c2e', critical: '#c0233b' } as const;

function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 3_600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3_600).toFixed(1)} h`;
}

type Point = { start: string; low: number; medium: number; high: number; critical: number };

/** One bar per UTC day of the range; the API leaves days without alerts out. */
function everyDay(since: string, until: string, points: readonly Point[]): (Point & { day: string })[] {
  const byDay = new Map(points.map((point) => [point.start.slice(0, 10), point]));
  const days: (Point & { day: string })[] = [];
  const end = new Date(until);
  for (let day = new Date(`${since.slice(0, 10)}T00:00:00Z`); day <= end; day = new Date(day.getTime() + 86_400_000)) {
    const key = day.toISOString().slice(0, 10);
    const point = byDay.get(key) ?? { start: day.toISOString(), low: 0, medium: 0, high: 0, critical: 0 };
    days.push({ ...point, day: day.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }) });
  }
  return days;
}

/** Alerts of the last 30 days by day and severity, and how fast the team answered them. */
export function StatsPage() {
  const range = useMemo(() => {
    const until = new Date();
    const since = new Date(until.getTime() - DAYS * 86_400_000);
    return { since: since.toISOString(), until: until.toISOString() };
  }, []);
  const [result] = useQuery({ query: ConsoleAlertStatsDocument, variables: { range } });
  const stats = result.data?.alertStats;
  const series = useMemo(() => everyDay(range.since, range.until, stats?.series ?? []), [range, stats]);
  return (
    <section aria-labelledby="stats-heading">
      <h1 id="stats-heading">Statistics</h1>
      {result.error && (
        <p role="alert" className="error">
          {result.error.message}
        </p>
      )}
      {stats && (
        <>
          <dl className="figures">
            <div>
              <dt>Alerts, last {DAYS} days</dt>
              <dd>{stats.total}</dd>
            </div>
            <div>
              <dt>Mean time to acknowledge</dt>
              <dd>{duration(stats.meanTimeToAcknowledgeSeconds)}</dd>
            </div>
            <div>
              <dt>Mean time to resolve</dt>
              <dd>{duration(stats.meanTimeToResolveSeconds)}</dd>
            </div>
            {stats.byStatus.map((entry) => (
              <div key={entry.status}>
                <dt>{label(entry.status)}</dt>
                <dd>{entry.count}</dd>
              </div>
            ))}
          </dl>
          <figure className="chart" aria-labelledby="chart-caption">
            <figcaption id="chart-caption">Alerts by day (UTC) and severity</figcaption>
            <ResponsiveContainer width="100%" height={320}>
              <BarChart data={series} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="day" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                {(['low', 'medium', 'high', 'critical'] as const).map((severity) => (
                  <Bar key={severity} dataKey={severity} name={label(severity)} stackId="severity" fill={SEVERITY_COLORS[severity]} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </figure>
        </>
      )}
    </section>
  );
}
