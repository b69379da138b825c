import fs from 'node:fs';
import path from 'node:path';
import { DEMO_EMAIL } from '../services/demo.ts';

export interface DemoCredentials {
  email: string;
  /** Absent for a workspace seeded before passwords were kept. */
  password?: string;
  apiKey?: string;
}

const KEY_FILE = 'demo-api-key';
const PASSWORD_FILE = 'demo-password';

/**
 * The demo workspace's login and API key, kept in the data folder (mode 0600) when it is seeded, so
 * every start can show them on the terminal without writing them to a log.
 */
export function saveDemoCredentials(dataDir: string, credentials: { apiKey: string; password: string }): void {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, KEY_FILE), `${credentials.apiKey}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dataDir, PASSWORD_FILE), `${credentials.password}\n`, { mode: 0o600 });
}

export function readDemoCredentials(dataDir: string): DemoCredentials {
  const read = (file: string) => {
    const full = path.join(dataDir, file);
    return fs.existsSync(full) ? fs.readFileSync(full, 'utf8').trim() : undefined;
  };
  return { email: DEMO_EMAIL, password: read(PASSWORD_FILE), apiKey: read(KEY_FILE) };
}

export const demoCredentialFiles = (dataDir: string) => ({ apiKey: path.join(dataDir, KEY_FILE), password: path.join(dataDir, PASSWORD_FILE) });
