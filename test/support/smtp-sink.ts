import { SMTPServer } from 'smtp-server';
import type { SMTPServerError } from 'smtp-server';
import { freePort } from './free-port';

/** One message as the SMTP server received it, decoded enough to assert on. */
export interface ReceivedMail {
  /** Message-ID header, with its angle brackets. */
  messageId: string;
  /** Envelope recipients (RCPT TO). */
  recipients: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

/** A local test server: any sender, no authentication, no TLS, no DNS, quiet. */
export const SINK_OPTIONS = {
  authOptional: true,
  hideSTARTTLS: true,
  disableReverseLookup: true,
  logger: false,
  closeTimeout: 1000,
} as const;

/**
 * A real SMTP server (the `smtp-server` package) on a free port for tests: accepts any sender
 * without authentication or TLS, keeps every message, and can refuse the next messages or
 * hold them for a while to simulate an unavailable or slow mail server.
 */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  private refusals = 0;
  private refusalCode = 451;
  private holdMs = 0;
  private readonly unknownMailboxes = new Set<string>();
  /** Recipients refused at RCPT TO for now (450), with how many more times. */
  private readonly deferredMailboxes = new Map<string, number>();
  /** MAIL FROM commands refused so far. */
  refused = 0;

  private server?: SMTPServer;

  private constructor(readonly port: number) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink(await freePort());
    const server = new SMTPServer({
      ...SINK_OPTIONS,
      onMailFrom: (_address, _session, callback) => {
        if (sink.refusals > 0) {
          sink.refusals -= 1;
          sink.refused += 1;
          const error: SMTPServerError = new Error('Mailbox busy, try again later (test refusal)');
          error.responseCode = sink.refusalCode;
          return callback(error);
        }
        callback();
      },
      onRcptTo: (address, _session, callback) => {
        const mailbox = address.address.toLowerCase();
        const deferrals = sink.deferredMailboxes.get(mailbox) ?? 0;
        if (deferrals > 0) {
          sink.deferredMailboxes.set(mailbox, deferrals - 1);
          const error: SMTPServerError = new Error('4.2.1 Mailbox busy, try later (test deferral)');
          error.responseCode = 450;
          return callback(error);
        }
        if (!sink.unknownMailboxes.has(mailbox)) return callback();
        const error: SMTPServerError = new Error('5.1.1 No such user here (test refusal)');
        error.responseCode = 550;
        callback(error);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const finish = () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            sink.messages.push({
              ...parseMessage(raw),
              recipients: session.envelope.rcptTo.map((recipient) => recipient.address),
              raw,
            });
            callback();
          };
          const hold = sink.holdMs;
          if (hold > 0) setTimeout(finish, hold);
          else finish();
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((listening) => server.listen(sink.port, '127.0.0.1', listening));
    sink.server = server;
    return sink;
  }

  /** Refuse the next `count` messages at MAIL FROM (451: temporary, 550: permanent). */
  refuseNext(count: number, responseCode = 451): void {
    this.refusals = count;
    this.refusalCode = responseCode;
  }

  /** Refuse these recipients at RCPT TO as mailboxes that do not exist (550 5.1.1). */
  refuseMailboxes(addresses: string[]): void {
    for (const address of addresses) this.unknownMailboxes.add(address.toLowerCase());
  }

  /** Refuse these recipients at RCPT TO for now (450 4.2.1), the next `times` times each. */
  deferMailboxes(addresses: string[], times = 1): void {
    for (const address of addresses) this.deferredMailboxes.set(address.toLowerCase(), times);
  }

  /** Accept messages only after `ms` (the client waits for the final reply meanwhile). */
  holdMessages(ms: number): void {
    this.holdMs = ms;
  }

  /** Messages whose Message-ID is `messageId`. */
  withMessageId(messageId: string): ReceivedMail[] {
    return this.messages.filter((message) => message.messageId === messageId);
  }

  stop(): Promise<void> {
    return new Promise((closed) => (this.server ? this.server.close(() => closed()) : closed()));
  }
}

type Headers = Map<string, string>;

function splitHeaders(part: string): { headers: Headers; body: string } {
  const end = part.search(/\r?\n\r?\n/);
  const head = end === -1 ? part : part.slice(0, end);
  const body = end === -1 ? '' : part.slice(end).replace(/^\r?\n\r?\n/, '');
  const headers: Headers = new Map();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`). */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(
      /=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g,
      (_match, _charset, encoding: string, text: string) =>
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64').toString('utf8')
          : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const source = text.replace(/=\r?\n/g, '');
  for (let index = 0; index < source.length; index++) {
    const hex = source.slice(index + 1, index + 3);
    if (source[index] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      index += 2;
    } else {
      bytes.push(...Buffer.from(source[index], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(headers: Headers, body: string): string {
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'base64')
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/** Enough MIME for our emails: a single part, or multipart/alternative with text and HTML. */
function parseMessage(raw: string): Omit<ReceivedMail, 'recipients' | 'raw'> {
  const { headers, body } = splitHeaders(raw);
  const parts: { type: string; content: string }[] = [];
  const contentType = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (boundary) {
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const part = splitHeaders(chunk.replace(/^\r?\n/, ''));
      parts.push({
        type: (part.headers.get('content-type') ?? 'text/plain').toLowerCase(),
        content: decodeBody(part.headers, part.body.replace(/\r?\n$/, '')),
      });
    }
  } else {
    parts.push({ type: contentType.toLowerCase(), content: decodeBody(headers, body) });
  }
  const partOf = (type: string) => parts.find((part) => part.type.startsWith(type))?.content ?? '';
  return {
    messageId: headers.get('message-id') ?? '',
    from: decodeWords(headers.get('from') ?? ''),
    subject: decodeWords(headers.get('subject') ?? ''),
    text: partOf('text/plain').replace(/\r\n/g, '\n'),
    html: partOf('text/html').replace(/\r\n/g, '\n'),
  };
}
