import type postgres from 'postgres';

/** The two statements of an alerts page that the baseline replays, as the API sent them. */
export interface PageStatements {
  alerts: string;
  monitors: string;
  /** Everything else the API ran for the request (authentication). */
  others: string[];
}

/**
 * Picks the page query and the monitors batch out of the statements one API request sent, and
 * checks their placeholders are the ones the baseline fills in, so a change to the services'
 * SQL stops the benchmark instead of quietly comparing against different work.
 */
export function identifyPageStatements(statements: string[]): PageStatements {
  const alerts = statements.filter((s) => /^select\b[\s\S]*\bfrom "alerts"/i.test(s));
  const monitors = statements.filter((s) => /^select\b[\s\S]*\bfrom "monitors"/i.test(s));
  const others = statements.filter((s) => !alerts.includes(s) && !monitors.includes(s));
  if (alerts.length !== 1 || monitors.length !== 1) {
    throw new Error(`expected one alerts query and one monitors query per page, got:\n${statements.join('\n')}`);
  }
  const [alertsSql] = alerts as [string];
  const [monitorsSql] = monitors as [string];
  if (placeholders(alertsSql).join() !== '1,2' || !/"organization_id" = \$1\b/.test(alertsSql) || !/\blimit \$2\s*$/i.test(alertsSql)) {
    throw new Error(`the alerts page query no longer has the shape the baseline fills in ($1 organization, $2 limit):\n${alertsSql}`);
  }
  if (!/"organization_id" = \$1\b/.test(monitorsSql) || !MONITOR_IDS.test(monitorsSql)) {
    throw new Error(`the monitors batch no longer has the shape the baseline fills in ($1 organization, $2… ids):\n${monitorsSql}`);
  }
  return { alerts: alertsSql, monitors: monitorsSql, others };
}

const MONITOR_IDS = /"id" in \(\$2(?:, \$\d+)*\)/;

function placeholders(statement: string): number[] {
  return [...new Set([...statement.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
}

export interface BaselinePage {
  alertIds: string[];
  monitorIds: string[];
}

/**
 * One alerts page straight through the `postgres` driver: the page query, then the organization's
 * monitors for the page's distinct monitor ids, sent unprepared exactly as drizzle sends them.
 */
export function createBaselinePage(sql: postgres.Sql, statements: PageStatements, organizationId: string, pageSize: number) {
  return async (): Promise<BaselinePage> => {
    const rows = await sql.unsafe<{ id: string; monitor_id: string }[]>(statements.alerts, [organizationId, pageSize + 1], { prepare: false });
    const page = rows.slice(0, pageSize);
    const monitorIds = [...new Set(page.map((row) => row.monitor_id))];
    if (monitorIds.length === 0) return { alertIds: [], monitorIds };
    const monitorsSql = statements.monitors.replace(MONITOR_IDS, `"id" in (${monitorIds.map((_, i) => `$${i + 2}`).join(', ')})`);
    const monitors = await sql.unsafe<{ id: string }[]>(monitorsSql, [organizationId, ...monitorIds], { prepare: false });
    if (monitors.length !== monitorIds.length) throw new Error(`expected ${monitorIds.length} monitors, got ${monitors.length}`);
    return { alertIds: page.map((row) => row.id), monitorIds };
  };
}
