import type { WebSocket } from 'ws';

/**
 * Pings a socket every `intervalMs` and terminates it when the peer has stopped answering.
 *
 * graphql-ws's own keep-alive starts the pong timer when the ping is *queued*. During a burst the
 * ping waits in this process's write buffer behind the events already queued for the socket, so a
 * client that is reading as fast as it can — just behind — was terminated (1006) once the backlog
 * took longer than the interval to drain: 63–265 healthy sockets of 10,000 per burst in
 * `bench:live`. Here the pong timer starts when the ping has left the process (`ws` calls back once
 * the frame is written), so what is timed is the peer reading what the kernel still holds for it,
 * and its round trip. A peer that reads nothing at
 * all never lets the ping out; it is terminated when the ping has waited `3 × intervalMs`, and the
 * slow-consumer cut (4413) usually comes first.
 */
export function keepSocketAlive(socket: WebSocket, intervalMs: number): void {
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) return;
  let flushTimer: NodeJS.Timeout | undefined;
  let pongTimer: NodeJS.Timeout | undefined;
  let isAnswered = true;
  const terminate = () => {
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CLOSING) socket.terminate();
  };
  const ticker = setInterval(() => {
    // One ping at a time: the last one is still on its way out or waiting for its pong.
    if (socket.readyState !== socket.OPEN || !isAnswered) return;
    isAnswered = false;
    flushTimer = setTimeout(terminate, 3 * intervalMs);
    socket.ping(undefined, undefined, (error) => {
      clearTimeout(flushTimer);
      flushTimer = undefined;
      // A failed write means the socket is closing anyway; a pong that came first needs no timer.
      if (error || isAnswered) return;
      pongTimer = setTimeout(terminate, intervalMs);
    });
  }, intervalMs);
  socket.on('pong', () => {
    isAnswered = true;
    clearTimeout(pongTimer);
    pongTimer = undefined;
  });
  socket.once('close', () => {
    clearInterval(ticker);
    clearTimeout(flushTimer);
    clearTimeout(pongTimer);
  });
}
