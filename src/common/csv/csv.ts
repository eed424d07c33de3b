import { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../auth/auth-user';
import { RETRY_EXPORT_AFTER_SECONDS } from '../database/stream-query';
import { DomainError } from '../errors/domain-error';

export type CsvValue = string | number | boolean | Date | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 field. Text that a spreadsheet would run as a formula (starting with
 * `=`, `+`, `-`, `@`, tab or CR) is prefixed with `'` (OWASP CSV injection); numbers stay numbers.
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = value instanceof Date ? value.toISOString() : value;
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvValue;
}

/** Turns rows (from an array or a database cursor) into CSV text, one line at a time. */
export async function* csvLines<T>(columns: CsvColumn<T>[], rows: AsyncIterable<T> | Iterable<T>) {
  yield csvLine(columns.map((column) => column.header));
  for await (const row of rows) yield csvLine(columns.map((column) => column.value(row)));
}

/**
 * Joins lines into chunks of about `size` characters: one socket write per line would cost a
 * write (and a chunked-encoding frame) per row of a large export.
 */
export async function* inChunks(lines: AsyncIterable<string>, size = 64 * 1024) {
  let chunk = '';
  for await (const line of lines) {
    chunk += line;
    if (chunk.length >= size) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/**
 * Exports one user may download at once, per process. A download holds a pooled connection
 * for as long as its client reads, so one slow reader (a cashier on a poor line, or on
 * purpose) could otherwise hold every export slot of the instance.
 */
export const EXPORTS_PER_USER = 2;
const exportsByUser = new Map<string, number>();
const logger = new Logger('CsvExport');

/** Counts a download of the signed-in user; returns how to give it back (once). */
function startExport(user: AuthUser | undefined): () => void {
  if (!user) return () => undefined;
  const running = exportsByUser.get(user.id) ?? 0;
  if (running >= EXPORTS_PER_USER) {
    throw new DomainError(
      'TOO_MANY_REQUESTS',
      `You already have ${EXPORTS_PER_USER} exports downloading; try again when one has finished`,
      [],
      { 'Retry-After': String(RETRY_EXPORT_AFTER_SECONDS) },
    );
  }
  exportsByUser.set(user.id, running + 1);
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    const left = (exportsByUser.get(user.id) ?? 1) - 1;
    if (left > 0) exportsByUser.set(user.id, left);
    else exportsByUser.delete(user.id);
  };
}

/**
 * Streams a CSV attachment; nothing is built in memory, so exports of any size stay small. The
 * first chunk is read before anything is sent, so a query that fails at once (a refused export,
 * a database that is down) is answered with its own error instead of a cut-off 200.
 */
export async function sendCsv<T>(
  reply: FastifyReply,
  filename: string,
  columns: CsvColumn<T>[],
  rows: AsyncIterable<T> | Iterable<T>,
): Promise<FastifyReply> {
  const endExport = startExport((reply.request as { user?: AuthUser }).user);
  const chunks = inChunks(csvLines(columns, rows));
  let first: IteratorResult<string>;
  try {
    first = await chunks.next();
  } catch (error) {
    endExport();
    throw error;
  }
  const body = Readable.from(resumed(first, chunks));
  // Closes the rows (and a cursor's connection and export slot) however the body ends: a
  // client gone before the first chunk gets a body destroyed before it is read, and a
  // generator that never started skips its own finally.
  body.once('close', () => {
    endExport();
    void chunks.return(undefined);
  });
  // Past the first chunk the status is sent: the client only sees the download cut short, and
  // the access log a client that went away. Say why here.
  body.once('error', (error) =>
    logger.error(
      `CSV export ${filename} (request ${String(reply.request.id)}) failed after it began: ${error.message}`,
      error.stack,
    ),
  );
  const safeName = filename.replace(/[^A-Za-z0-9._-]/g, '_');
  return reply
    .header('Content-Type', 'text/csv; charset=utf-8')
    .header('Content-Disposition', `attachment; filename="${safeName}"`)
    .send(body);
}

/** The chunk already read, then the rest. */
async function* resumed(first: IteratorResult<string>, rest: AsyncGenerator<string>) {
  if (first.done) return;
  yield first.value;
  yield* rest;
}
