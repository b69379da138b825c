import type { WebSocket } from 'ws';

/** Sockets are pinged in this many slices of the interval, so 10,000 pings do not leave at once. */
const SLICES = 8;

interface Watched {
  socket: WebSocket;
  slice: Set<Watched>;
  /** When the outstanding ping was handed to the socket; undefined when none is outstanding. */
  pingQueuedAt: number | undefined;
  /** When that ping left the process; undefined until it has. */
  pingWrittenAt: number | undefined;
}

/**
 * Pings every socket every `intervalMs` and terminates one whose peer has stopped answering.
 *
 * graphql-ws's own keep-alive starts the pong timer when the ping is *queued*. During a burst the
 * ping waits in this process's write buffer behind the events already queued for the socket, so a
 * client that is reading as fast as it can — just behind — was terminated (1006) once the backlog
 * took longer than the interval to drain: 63–265 healthy sockets of 10,000 per burst in
 * `bench:live`. Here the wait for the pong counts from when the ping has left the process (`ws`
 * calls back once the frame is written), so what is timed is the peer reading what the kernel still
 * holds for it, and its round trip. A peer that reads nothing at all never lets the ping out; it is
 * terminated when the ping has waited `3 × intervalMs`, and the slow-consumer cut (4413) usually
 * comes first.
 *
 * One timer serves every socket: each is visited once per interval (in one of `SLICES` slices, so
 * the pings are spread out), and holds no timer or closure of its own while idle.
 */
export class KeepAlive {
  private readonly intervalMs: number;
  private readonly slices: Set<Watched>[] = Array.from({ length: SLICES }, () => new Set());
  private nextSlice = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs > 0 && Number.isFinite(intervalMs) ? intervalMs : 0;
  }

  watch(socket: WebSocket): void {
    if (this.intervalMs === 0) return;
    // Into the slice visited last: its first ping comes a whole interval from now.
    const slice = this.slices[(this.nextSlice + SLICES - 1) % SLICES]!;
    const entry: Watched = { socket, slice, pingQueuedAt: undefined, pingWrittenAt: undefined };
    slice.add(entry);
    watched.set(socket, entry);
    socket.on('pong', onPong);
    socket.once('close', onClose);
    this.timer ??= setInterval(() => this.visitSlice(), this.intervalMs / SLICES).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const slice of this.slices) slice.clear();
  }

  private visitSlice(): void {
    const slice = this.slices[this.nextSlice]!;
    this.nextSlice = (this.nextSlice + 1) % SLICES;
    const now = performance.now();
    for (const entry of slice) {
      const { socket } = entry;
      if (socket.readyState !== socket.OPEN) continue;
      if (entry.pingQueuedAt === undefined) {
        entry.pingQueuedAt = now;
        socket.ping(undefined, undefined, (error) => {
          // A failed write means the socket is closing anyway; a pong that came first needs no time.
          if (!error && entry.pingQueuedAt !== undefined) entry.pingWrittenAt = performance.now();
        });
        continue;
      }
      const isLate =
        entry.pingWrittenAt === undefined ? now - entry.pingQueuedAt >= 3 * this.intervalMs - 1 : now - entry.pingWrittenAt >= this.intervalMs - 1;
      if (isLate) socket.terminate();
    }
  }
}

const watched = new WeakMap<WebSocket, Watched>();

/** Listeners shared by every socket (`this` is the socket): no closure per connection. */
function onPong(this: WebSocket): void {
  const entry = watched.get(this);
  if (!entry) return;
  entry.pingQueuedAt = undefined;
  entry.pingWrittenAt = undefined;
}

function onClose(this: WebSocket): void {
  const entry = watched.get(this);
  entry?.slice.delete(entry);
}
