import { SMTPServer } from 'smtp-server';
import { freePort } from '../../support/free-port';
import { SINK_OPTIONS } from '../../support/smtp-sink';

/** One message whose whole DATA the server read, as far as these tests need to know it. */
export interface StalledMail {
  /** Message-ID header, with its angle brackets. */
  messageId: string;
  /** Envelope recipients (RCPT TO). */
  recipients: string[];
}

interface Held {
  mail: StalledMail;
  /** The server took responsibility for it (accepted) although the client never heard so. */
  committed: boolean;
  /** Sends the withheld "250". */
  reply: () => void;
}

/**
 * A real SMTP server (the `smtp-server` package) that can stall a sender in the middle of
 * sending: while stalling, it reads a message's whole DATA and then withholds its reply, so the
 * client waits for the final "250" that never comes. What happens to a stalled message then
 * follows SMTP (RFC 5321 §6.1, RFC 1047):
 * - by default the server has not accepted it, and when the client's connection goes away the
 *   message is dropped (`abandoned`);
 * - `commit(messageId)` makes the server accept it without telling the client (the window
 *   between the server taking responsibility and the client hearing "250"): it counts as
 *   `accepted` even though the sender dies before it learns so.
 * When not stalling, messages are accepted and answered at once.
 */
export class StallingSmtpSink {
  /** Messages the server accepted, in order (a resend of the same message appears twice). */
  readonly accepted: StalledMail[] = [];
  /** Stalled messages whose sender went away before the server accepted them. */
  readonly abandoned: StalledMail[] = [];
  private readonly held = new Map<string, Held>();
  private stalling = false;
  private server?: SMTPServer;

  private constructor(readonly port: number) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<StallingSmtpSink> {
    const sink = new StallingSmtpSink(await freePort());
    const server = new SMTPServer({
      ...SINK_OPTIONS,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const mail = {
            messageId: messageIdOf(Buffer.concat(chunks).toString('utf8')),
            recipients: session.envelope.rcptTo.map((recipient) => recipient.address),
          };
          if (sink.stalling) {
            sink.held.set(session.id, { mail, committed: false, reply: () => callback() });
            return; // no reply: the client waits until its socket timeout, or its death
          }
          sink.accepted.push(mail);
          callback();
        });
      },
      onClose: (session) => {
        const held = sink.held.get(session.id);
        if (!held) return;
        sink.held.delete(session.id);
        if (!held.committed) sink.abandoned.push(held.mail);
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((listening) => server.listen(sink.port, '127.0.0.1', listening));
    sink.server = server;
    return sink;
  }

  /** From now on, read each message in full and then withhold the reply. */
  stall(): void {
    this.stalling = true;
  }

  /** From now on, accept and answer messages at once (stalled ones stay stalled). */
  answer(): void {
    this.stalling = false;
  }

  /** Messages whose DATA was read and whose reply is being withheld. */
  get stalled(): StalledMail[] {
    return [...this.held.values()].map((held) => held.mail);
  }

  /** Accepts every stalled message and at last answers its sender. */
  release(): void {
    for (const [session, held] of this.held) {
      this.held.delete(session);
      if (!held.committed) this.accepted.push(held.mail);
      held.reply();
    }
  }

  /** The server accepts a stalled message, still without answering the client. */
  commit(messageId: string): void {
    const held = [...this.held.values()].find((entry) => entry.mail.messageId === messageId);
    if (!held || held.committed) throw new Error(`no uncommitted stalled message ${messageId}`);
    held.committed = true;
    this.accepted.push(held.mail);
  }

  acceptedWithMessageId(messageId: string): StalledMail[] {
    return this.accepted.filter((mail) => mail.messageId === messageId);
  }

  abandonedWithMessageId(messageId: string): StalledMail[] {
    return this.abandoned.filter((mail) => mail.messageId === messageId);
  }

  stop(): Promise<void> {
    return new Promise((closed) => (this.server ? this.server.close(() => closed()) : closed()));
  }
}

/** The Message-ID header of a raw message (headers end at the first empty line). */
function messageIdOf(raw: string): string {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  return /^Message-ID:[ \t]*(.*)$/im.exec(head)?.[1].trim() ?? '';
}
