import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { domainToASCII } from 'node:url';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createTransport } from 'nodemailer';
import type { Env } from '../../config/env.schema';

export interface OutgoingMail {
  /** Full Message-ID header value, e.g. `<outbox-id@pos.local>`. */
  messageId: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface SentMail {
  accepted: string[];
  /** Refused for good (5xx). */
  rejected: string[];
  /** Refused for now (4xx): the server asks to try these recipients again later. */
  deferred: string[];
  /** The `.eml` file written instead of sending, without SMTP_URL. */
  path?: string;
}

/**
 * SMTP timeouts: a hung server fails the attempt (and it is retried) well within the outbox
 * lease (OUTBOX_LEASE_MS, 2 minutes by default), so two senders never overlap on one row.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * Sends email through SMTP_URL, one connection per message (alerts are rare; nothing to pool).
 * Without SMTP_URL (the embedded default) each message is written to DATA_DIR/mail/*.eml and
 * its path logged, so a newcomer sees the alerts without a mail server.
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly logger = new Logger(Mailer.name);
  private readonly from: string;
  private readonly smtp?: ReturnType<typeof createTransport>;
  private readonly mailDir: string;

  constructor(config: ConfigService<Env, true>) {
    this.from = config.get('MAIL_FROM', { infer: true });
    this.mailDir = resolve(config.get('DATA_DIR', { infer: true }), 'mail');
    const url = config.get('SMTP_URL', { infer: true });
    if (url) this.smtp = createTransport({ url, ...SMTP_TIMEOUTS });
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const message = {
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
    };
    if (this.smtp) {
      // Resolves when the server accepted at least one recipient; refusals reject.
      const info = (await this.smtp.sendMail(message)) as SMTPInfo;
      // The envelope carries a domain in its ASCII form (ops@xn--jgeva-dua.ee for
      // ops@jõgeva.ee): deferred recipients are named as the caller wrote them.
      const written = new Map(mail.to.map((address) => [envelopeForm(address), address]));
      const deferred = (info.rejectedErrors ?? [])
        .filter((refusal) => (refusal.responseCode ?? 500) < 500 && refusal.recipient)
        .map((refusal) => String(refusal.recipient))
        .map((address) => written.get(envelopeForm(address)) ?? address);
      return {
        accepted: info.accepted.map(String),
        rejected: info.rejected
          .map(String)
          .filter(
            (address) => !deferred.some((owed) => envelopeForm(owed) === envelopeForm(address)),
          ),
        deferred,
      };
    }
    const info = await createTransport({ streamTransport: true, buffer: true }).sendMail(message);
    await mkdir(this.mailDir, { recursive: true });
    const path = join(this.mailDir, `${fileStamp(new Date())}-${fileSafe(mail.messageId)}.eml`);
    await writeFile(path, info.message as Buffer);
    this.logger.log(
      `SMTP_URL not set: wrote "${mail.subject}" for ${mail.to.join(', ')} to ${path}`,
    );
    return { accepted: [...mail.to], rejected: [], deferred: [], path };
  }

  onApplicationShutdown(): void {
    this.smtp?.close();
  }
}

/** What nodemailer's SMTP transport resolves with (its types leave out `rejectedErrors`). */
interface SMTPInfo {
  accepted: unknown[];
  rejected: unknown[];
  rejectedErrors?: { recipient?: unknown; responseCode?: number }[];
}

/** An address as it goes on the SMTP envelope: domain in ASCII (punycode), lower case. */
function envelopeForm(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address.toLowerCase();
  return `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1)) || address.slice(at + 1)}`.toLowerCase();
}

function fileStamp(at: Date): string {
  return at.toISOString().replace(/[:.]/g, '-');
}

function fileSafe(messageId: string): string {
  return messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9@._-]/g, '_');
}
