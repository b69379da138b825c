import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface Answer<T> {
  at: number;
  /** How long the answer took. */
  ms: number;
  /** HTTP status, or 0 when no HTTP answer came at all (refused, reset, timed out). */
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
  /** Set when there was no HTTP answer, or it was not JSON. */
  transportError?: string;
}

/** One GraphQL request over HTTP that never throws: whatever happened is in the answer. */
export async function ask<R, V>(baseUrl: string, document: TypedDocumentNode<R, V>, variables: V, token?: string, timeoutMs = 10_000): Promise<Answer<R>> {
  const at = Date.now();
  try {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: print(document), variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    try {
      const body = JSON.parse(text) as Pick<Answer<R>, 'data' | 'errors'>;
      return { at, ms: Date.now() - at, status: response.status, data: body.data, errors: body.errors };
    } catch {
      return { at, ms: Date.now() - at, status: response.status, transportError: `not JSON: ${text.slice(0, 200)}` };
    }
  } catch (error) {
    return { at, ms: Date.now() - at, status: 0, transportError: String((error as Error).cause ?? error) };
  }
}

/** GET a JSON endpoint (`/ready`, `/health`) without throwing. */
export async function getJson(baseUrl: string, path: string, timeoutMs = 10_000): Promise<{ status: number; body: unknown }> {
  try {
    const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.json() };
  } catch (error) {
    return { status: 0, body: String((error as Error).cause ?? error) };
  }
}

/** A gauge or counter from the Prometheus text at `/metrics`; NaN when absent. */
export async function metric(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}
