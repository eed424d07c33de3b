import type { PoolClient } from 'pg';
import { prepareValue } from 'pg/lib/utils';
import { errorOf, ResultsOf, SqlStatement } from './sql-statement';

/** The part of pg's protocol connection a submittable writes to (what pg-cursor uses too). */
interface ProtocolConnection {
  stream: { cork?: () => void; uncork?: () => void };
  on(event: 'parseComplete', listener: () => void): void;
  parse(message: { name: string; text: string }): void;
  bind(message: { statement: string; values: (string | Buffer | null)[] }): void;
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
 * Bounds the server-side prepared statements per connection should a caller ever build statement
 * texts dynamically; past it, new texts go unnamed (parsed and planned each time).
 */
const MAX_PREPARED_TEXTS = 100;
const preparedNames = new Map<string, string>();

/** The name a parameterised text is prepared under on every connection, if it gets one. */
function preparedNameOf(statement: SqlStatement<unknown>): string {
  if (statement.values.length === 0) return ''; // BEGIN, COMMIT: nothing to plan
  let name = preparedNames.get(statement.text);
  if (name === undefined && preparedNames.size < MAX_PREPARED_TEXTS) {
    name = `pos_batch_${preparedNames.size + 1}`;
    preparedNames.set(statement.text, name);
  }
  return name ?? '';
}

/**
 * The statements one connection has prepared. A name counts as prepared only once the server
 * has answered its Parse with ParseComplete: a Parse skipped because an earlier statement of the
 * batch failed never created it, so it is sent again next time.
 */
class PreparedStatements {
  private readonly prepared = new Set<string>();
  private readonly awaitingParse: string[] = [];

  constructor(connection: ProtocolConnection) {
    connection.on('parseComplete', () => {
      const name = this.awaitingParse.shift();
      if (name) this.prepared.add(name);
    });
  }

  needsParse(name: string): boolean {
    return name === '' || (!this.prepared.has(name) && !this.awaitingParse.includes(name));
  }

  /** Every Parse, named or not, is answered by its own ParseComplete. */
  parsing(name: string): void {
    this.awaitingParse.push(name);
  }

  /** The batch is over: Parse messages still unanswered were skipped after an error. */
  batchEnded(): void {
    this.awaitingParse.length = 0;
  }
}

const preparedByConnection = new WeakMap<ProtocolConnection, PreparedStatements>();

function preparedStatementsOf(connection: ProtocolConnection): PreparedStatements {
  let prepared = preparedByConnection.get(connection);
  if (!prepared) {
    prepared = new PreparedStatements(connection);
    preparedByConnection.set(connection, prepared);
  }
  return prepared;
}

/**
 * Sends statements to PostgreSQL in one write with a single Sync at the end (pipelining in the
 * extended protocol): the server runs them in order and the batch costs one round trip. When
 * one fails the server skips the rest up to the Sync, so a batch inside a transaction either
 * runs whole or leaves the transaction failed. Parameterised statements are prepared once per
 * connection, so the server parses and plans them once instead of on every call. Rows are
 * parsed with the client's type parsers, as pg's own queries are.
 */
class StatementBatch {
  private readonly results: Row[][] = [];
  private fields: { name: string; parse: (text: string) => unknown }[] = [];
  private rows: Row[] = [];
  private failure: unknown;
  private settled = false;
  private prepared?: PreparedStatements;

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
    const prepared = preparedStatementsOf(connection);
    this.prepared = prepared;
    connection.stream.cork?.();
    try {
      this.statements.forEach((statement, index) => {
        const name = preparedNameOf(statement);
        if (prepared.needsParse(name)) {
          connection.parse({ name, text: statement.text });
          prepared.parsing(name);
        }
        connection.bind({ statement: name, values: values[index] });
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
    this.prepared?.batchEnded();
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
