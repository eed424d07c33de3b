import type { PoolClient } from 'pg';
import { prepareValue } from 'pg/lib/utils';
import { errorOf, ResultsOf, SqlStatement } from './sql-statement';

/** The part of pg's protocol connection a submittable writes to (what pg-cursor uses too). */
interface ProtocolConnection {
  stream: { cork?: () => void; uncork?: () => void };
  parse(message: { text: string }): void;
  bind(message: { values: (string | Buffer | null)[] }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: { portal: string }): void;
  sync(): void;
  sendCopyFail(reason: string): void;
}

interface FieldDescription {
  name: string;
  dataTypeID: number;
  format: 'text' | 'binary';
}

type Row = Record<string, unknown>;

/**
 * Sends statements to PostgreSQL in one write with a single Sync at the end (pipelining in the
 * extended protocol): the server runs them in order and the batch costs one round trip. When
 * one fails the server skips the rest up to the Sync, so a batch inside a transaction either
 * runs whole or leaves the transaction failed. Rows are parsed with the client's type parsers,
 * as pg's own queries are.
 */
class StatementBatch {
  private readonly results: Row[][] = [];
  private fields: { name: string; parse: (text: string) => unknown }[] = [];
  private rows: Row[] = [];
  private failure: unknown;
  private settled = false;

  constructor(
    private readonly client: PoolClient,
    private readonly statements: readonly SqlStatement<unknown>[],
    private readonly done: (error: unknown, results?: Row[][]) => void,
  ) {}

  submit(connection: ProtocolConnection): void {
    // Values are converted before anything is written, so a bad value cannot leave half a batch
    // on the wire.
    let values: (string | Buffer | null)[][];
    try {
      values = this.statements.map((statement) => statement.values.map(prepareValue));
    } catch (error) {
      // pg only sends the next query after ReadyForQuery, which a Sync alone produces.
      this.failure = error;
      connection.sync();
      return;
    }
    connection.stream.cork?.();
    try {
      this.statements.forEach((statement, index) => {
        connection.parse({ text: statement.text });
        connection.bind({ values: values[index] });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '' });
      });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
  }

  handleRowDescription(message: { fields: FieldDescription[] }): void {
    this.fields = message.fields.map((field) => ({
      name: field.name,
      parse: this.client.getTypeParser(field.dataTypeID, field.format) as (text: string) => unknown,
    }));
  }

  handleDataRow(message: { fields: (string | null)[] }): void {
    if (this.failure) return;
    try {
      const row: Row = {};
      this.fields.forEach((field, index) => {
        const text = message.fields[index];
        row[field.name] = text === null ? null : field.parse(text);
      });
      this.rows.push(row);
    } catch (error) {
      this.failure = error;
    }
  }

  handleCommandComplete(): void {
    this.results.push(this.rows);
    this.rows = [];
    this.fields = [];
  }

  handleEmptyQuery(): void {
    this.handleCommandComplete();
  }

  handlePortalSuspended(): void {
    // Never asked for: every Execute runs its portal to completion.
  }

  handleCopyInResponse(connection: ProtocolConnection): void {
    connection.sendCopyFail('COPY is not supported in a statement batch');
  }

  handleCopyData(): void {
    // COPY is refused above.
  }

  /** A statement failed (the rest were skipped) or the connection broke. */
  handleError(error: unknown): void {
    const failed = this.statements[this.results.length];
    this.settle(failed ? errorOf(failed, error) : error);
  }

  handleReadyForQuery(): void {
    if (this.failure) this.settle(this.failure);
    else this.settle(undefined, this.results);
  }

  private settle(error: unknown, results?: Row[][]): void {
    if (this.settled) return;
    this.settled = true;
    this.done(error, results);
  }
}

/** Runs the statements in one round trip on the client and reads each one's rows. */
export function sendBatch<S extends readonly SqlStatement<unknown>[]>(
  client: PoolClient,
  statements: S,
): Promise<ResultsOf<S>> {
  return new Promise((resolve, reject) => {
    const batch = new StatementBatch(client, statements, (error, results) => {
      if (error !== undefined || !results) return reject(error as Error);
      try {
        resolve(
          statements.map((statement, index) => statement.read(results[index])) as ResultsOf<S>,
        );
      } catch (readError) {
        reject(readError as Error);
      }
    });
    client.query(batch as never);
  });
}
