import fs from 'node:fs';
import net from 'node:net';

/**
 * A loopback port nothing listens on right now, for a server another process (PostgreSQL, an API,
 * an SMTP stand-in) binds a moment later.
 *
 * Not one the OS hands out (`listen(0)`): those come from the ephemeral range, which is also where
 * every outgoing connection of the test run takes its local port, and a connection that takes the
 * port between this probe and the bind makes the bind fail ("could not bind IPv4 address
 * 127.0.0.1: Address already in use" — seen in CI for PostgreSQL). Ports below that range are
 * never used for outgoing connections, so only another listener could collide, and the probe
 * checks for that.
 */
export async function freeLoopbackPort(): Promise<number> {
  const [low, high] = ephemeralRange();
  const [from, to] = low - 1 >= 20_000 ? [20_000, low - 1] : [high + 1, 65_535];
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free loopback port between ${from} and ${to} after 100 tries`);
}

function ephemeralRange(): [number, number] {
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // Not Linux: use Linux's default range.
  }
  return [32_768, 60_999];
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
