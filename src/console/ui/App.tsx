import { useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { Provider } from 'urql';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { ConsoleLogOutDocument } from '../generated/graphql.ts';
import { createHttpClient, createLiveConnection, type LiveConnection, type LiveState } from './client.ts';
import { activeCredential, allCredentials, forgetAll, postOperation, subscribeToCredentials, switchOrganization, type Credential } from './session.ts';
import { SignIn } from './SignIn.tsx';
import { AlertsPage } from './AlertsPage.tsx';
import { AlertDetail } from './AlertDetail.tsx';
import { MonitorsPage } from './MonitorsPage.tsx';
import { StatsPage } from './StatsPage.tsx';

function useCredentials(): { active: Credential | null; all: Credential[] } {
  const all = useSyncExternalStore(subscribeToCredentials, allCredentials);
  const active = useSyncExternalStore(subscribeToCredentials, activeCredential);
  return { active, all };
}

export function App() {
  const { active, all } = useCredentials();
  const [location] = useLocation();
  if (!active || location === '/sign-in') {
    return (
      <Switch>
        <Route path="/sign-in">
          <SignIn isAdding={active !== null} />
        </Route>
        <Route>
          <Redirect to="/sign-in" />
        </Route>
      </Switch>
    );
  }
  // Keyed by organization: switching starts fresh clients, subscriptions and lists.
  return <SignedIn key={active.organization.id} active={active} all={all} />;
}

function SignedIn({ active, all }: { active: Credential; all: Credential[] }) {
  const client = useMemo(() => createHttpClient(), []);
  const connection = useMemo(() => createLiveConnection(), []);
  useEffect(() => () => connection.dispose(), [connection]);
  return (
    <Provider value={client}>
      <Shell active={active} all={all} connection={connection}>
        <Switch>
          <Route path="/">
            <Redirect to="/alerts" />
          </Route>
          <Route path="/alerts">
            <AlertsPage connection={connection} />
          </Route>
          <Route path="/alerts/:id">{(params) => <AlertDetail id={decodeURIComponent(params.id)} connection={connection} />}</Route>
          <Route path="/monitors">
            <MonitorsPage connection={connection} />
          </Route>
          <Route path="/stats">
            <StatsPage />
          </Route>
          <Route>
            <p role="alert">No such page. <Link href="/alerts">Back to the alerts</Link></p>
          </Route>
        </Switch>
      </Shell>
    </Provider>
  );
}

const LIVE_LABELS: Record<LiveState, string> = { connecting: 'Connecting…', live: 'Live', offline: 'Reconnecting…' };

function Shell({ active, all, connection, children }: { active: Credential; all: Credential[]; connection: LiveConnection; children: ReactNode }) {
  const [liveState, setLiveState] = useState<LiveState>(connection.state());
  useEffect(() => connection.onState(setLiveState), [connection]);
  const [location, navigate] = useLocation();
  // Out of every organization held here: each session is revoked, not just forgotten.
  const signOut = async () => {
    const revoking = forgetAll()
      .filter((credential) => credential.refreshToken)
      .map((credential) => postOperation(ConsoleLogOutDocument, { input: { refreshToken: credential.refreshToken! } }).catch(() => undefined));
    navigate('/sign-in');
    await Promise.all(revoking);
  };
  const navLink = (href: string, label: string) => (
    <Link href={href} aria-current={location === href || location.startsWith(`${href}/`) ? 'page' : undefined}>
      {label}
    </Link>
  );
  return (
    <div className="shell">
      <header className="topbar">
        <strong className="brand">Vigil</strong>
        <nav aria-label="Main">
          {navLink('/alerts', 'Alerts')}
          {navLink('/monitors', 'Monitors')}
          {navLink('/stats', 'Statistics')}
        </nav>
        <div className="who">
          <label>
            <span className="visually-hidden">Organization</span>
            <select aria-label="Organization" value={active.organization.id} onChange={(event) => switchOrganization(event.target.value)}>
              {all.map((c) => (
                <option key={c.organization.id} value={c.organization.id}>
                  {c.organization.name}
                </option>
              ))}
            </select>
          </label>
          <Link href="/sign-in">Add organization</Link>
          <span className={`live live-${liveState}`} role="status" aria-label={`Live updates: ${LIVE_LABELS[liveState]}`}>
            {LIVE_LABELS[liveState]}
          </span>
          <span className="user">{active.userName}</span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main>{children}</main>
    </div>
  );
}
