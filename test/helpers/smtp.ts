import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

/** A MIME part as the test reads it: headers by lowercase name, decoded body, sub-parts. */
export interface MimePart {
  headers: Record<string, string>;
  contentType: string;
  body: string;
  parts: MimePart[];
}

export interface ReceivedMail {
  /** SMTP envelope: who the client said the message was for. */
  envelopeTo: string[];
  envelopeFrom: string;
  raw: string;
  message: MimePart;
  subject: string;
  text: string | undefined;
  html: string | undefined;
}

export interface SmtpSink {
  port: number;
  /** `smtp://127.0.0.1:<port>`: plain SMTP without STARTTLS, as a local relay would take it. */
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  /** Return an Error (with `responseCode`) to refuse a recipient. */
  onRcptTo?: (address: string) => Error | undefined;
}

/**
 * A real SMTP server on 127.0.0.1 (nodemailer's own `smtp-server`) that keeps every message it
 * accepts, so tests drive the real client library over a real socket.
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (error?: Error | null) => void) {
      callback(options.onRcptTo?.(address.address) ?? null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const message = parseMime(raw);
        mails.push({
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          raw,
          message,
          subject: decodeWords(message.headers.subject ?? ''),
          text: findPart(message, 'text/plain')?.body,
          html: findPart(message, 'text/html')?.body,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on (yet). */
export { freeLoopbackPort as freePort } from './ports.ts';

/** An SMTP refusal as servers send them: `code` is the reply code the client sees. */
export function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

function findPart(part: MimePart, contentType: string): MimePart | undefined {
  if (part.contentType === contentType) return part;
  for (const child of part.parts) {
    const found = findPart(child, contentType);
    if (found) return found;
  }
  return undefined;
}

/** Just enough MIME for what nodemailer composes: multipart, quoted-printable, base64, 7bit. */
export function parseMime(raw: string): MimePart {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const rest = split === -1 ? '' : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const type = headers['content-type'] ?? 'text/plain';
  const contentType = type.split(';')[0]!.trim().toLowerCase();
  if (contentType.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (!boundary) throw new Error(`multipart without boundary: ${type}`);
    const sections = rest.split(`--${boundary}`);
    const parts = sections.slice(1, -1).map((section) => parseMime(section.replace(/^\r\n/, '').replace(/\r\n$/, '')));
    return { headers, contentType, body: '', parts };
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  let bytes: Buffer;
  if (encoding === 'base64') bytes = Buffer.from(rest.replace(/\s+/g, ''), 'base64');
  else if (encoding === 'quoted-printable') bytes = decodeQuotedPrintable(rest);
  else bytes = Buffer.from(rest, 'utf8');
  return { headers, contentType, body: bytes.toString('utf8').replace(/\r\n/g, '\n'), parts: [] };
}

function decodeQuotedPrintable(value: string): Buffer {
  const unwrapped = value.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < unwrapped.length; i += 1) {
    const c = unwrapped[i]!;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(unwrapped.slice(i + 1, i + 3))) {
      bytes.push(parseInt(unwrapped.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded words, as nodemailer writes non-ASCII headers. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_m, _charset: string, kind: string, text: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')).toString('utf8'),
    );
}
