import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { ConsoleLogInDocument } from '../generated/graphql.ts';
import { adoptCredential, credentialFromApiKey, fromSession, postOperation } from './session.ts';

/** Email and password (optionally into one organization by its ID), or an API key. */
export function SignIn({ isAdding }: { isAdding: boolean }) {
  const [, navigate] = useLocation();
  const [mode, setMode] = useState<'password' | 'apiKey'>('password');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setIsBusy(true);
    setError(null);
    try {
      if (mode === 'apiKey') {
        const credential = await credentialFromApiKey(String(form.get('apiKey')).trim());
        if (typeof credential === 'string') return setError(credential);
        adoptCredential(credential);
      } else {
        const organizationId = String(form.get('organizationId') ?? '').trim();
        const result = await postOperation(ConsoleLogInDocument, {
          input: { email: String(form.get('email')), password: String(form.get('password')), organizationId: organizationId || undefined },
        });
        const logIn = result.data?.logIn;
        if (logIn?.__typename !== 'LogInPayload') {
          return setError((logIn && 'message' in logIn ? logIn.message : result.errors?.[0]?.message) ?? 'Signing in failed.');
        }
        adoptCredential(fromSession(logIn.session));
      }
      navigate('/alerts');
    } catch {
      setError('Vigil could not be reached. Try again.');
    } finally {
      setIsBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>{isAdding ? 'Add an organization' : 'Sign in to Vigil'}</h1>
      <div role="group" aria-label="How to sign in" className="tabs">
        <button type="button" aria-pressed={mode === 'password'} onClick={() => setMode('password')}>
          Email and password
        </button>
        <button type="button" aria-pressed={mode === 'apiKey'} onClick={() => setMode('apiKey')}>
          API key
        </button>
      </div>
      <form onSubmit={(event) => void submit(event)} className="stack">
        {mode === 'password' ? (
          <>
            <label>
              Email
              <input name="email" type="email" autoComplete="username" required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
            <label>
              Organization ID <span className="hint">(optional: another organization you belong to)</span>
              <input name="organizationId" autoComplete="off" />
            </label>
          </>
        ) : (
          <label>
            API key
            <input name="apiKey" type="password" autoComplete="off" required />
          </label>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={isBusy}>
          Sign in
        </button>
        {isAdding && <Link href="/alerts">Cancel</Link>}
      </form>
    </main>
  );
}
