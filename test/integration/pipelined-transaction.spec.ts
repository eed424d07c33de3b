import { DataSource } from 'typeorm';
import {
  inPipelinedTransaction,
  PipelinedTransaction,
} from '../../src/common/database/pipelined-transaction';
import { command, SqlStatement } from '../../src/common/database/sql-statement';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import {
  CommitOutcomeUnknownError,
  DatabaseConnectionLostError,
  isDatabaseUnavailable,
  whyDatabaseUnavailable,
} from '../../src/common/errors/database-errors';
import { createTestDatabase, TestDatabase } from '../support/database';

const rowsOf = (text: string, values: unknown[] = []): SqlStatement<Record<string, unknown>[]> => ({
  text,
  values,
  read: (rows) => rows,
});
const unexpectedSuccess = () => new Error('the unit was expected to fail');
const hits = (id: number, by = 1) =>
  command(`UPDATE probe SET hits = hits + $2 WHERE id = $1`, [id, by]);

describe('inPipelinedTransaction on real PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const hitsNow = async () =>
    (await dataSource.query(`SELECT id, hits FROM probe ORDER BY id`)) as { hits: number }[];

  beforeAll(async () => {
    database = await createTestDatabase();
    // Pool of one: every test runs on the connection the previous one released, so a
    // transaction left open or failed would show in the next test.
    dataSource = new DataSource({
      ...buildDataSourceOptions({ url: database.url, poolSize: 1 }),
      logging: false,
    });
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE probe (id int PRIMARY KEY, hits int NOT NULL, note text)`);
    await dataSource.query(`INSERT INTO probe VALUES (1, 0, NULL), (2, 0, NULL)`);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });
  beforeEach(async () => {
    await dataSource.query(`UPDATE probe SET hits = 0`);
  });

  it('runs each batch in one round trip inside one transaction and reads every statement with the usual type parsers', async () => {
    const [first, second] = await inPipelinedTransaction(dataSource, async (transaction) => {
      const [pids, sums] = await transaction.send(
        rowsOf(`SELECT pg_backend_pid() AS pid, txid_current() AS tx`),
        rowsOf(`SELECT 9007199254740991::bigint AS big, now() AS at, NULL::text AS nothing`),
      );
      const [later] = await transaction.commit(
        rowsOf(`SELECT pg_backend_pid() AS pid, txid_current() AS tx`),
        hits(1),
      );
      return [{ ...pids[0], ...sums[0] }, later[0]];
    });

    expect(second).toEqual({ pid: first.pid, tx: first.tx }); // same connection, same transaction
    expect(first.big).toBe(9007199254740991); // int8 as a number (parseInt8), like TypeORM's queries
    expect(first.at).toBeInstanceOf(Date);
    expect(first.nothing).toBeNull();
    expect((await hitsNow())[0].hits).toBe(1);
  });

  it('a failing statement rejects with its own error, skips the rest of the batch and rolls everything back', async () => {
    const failure = await inPipelinedTransaction(dataSource, async (transaction) => {
      await transaction.send(hits(1));
      await transaction.commit(
        hits(2),
        {
          ...command(`SELECT 1 / 0`, []),
          mapError: (error) => new Error(`mapped: ${String(error)}`),
        },
        hits(1, 100),
      );
    }).then(unexpectedSuccess, (error: unknown) => error as Error);

    expect(failure.message).toBe('mapped: error: division by zero');
    expect(await hitsNow()).toEqual([
      { id: 1, hits: 0 },
      { id: 2, hits: 0 },
    ]);
    // The one pooled connection is clean: a new transaction on it commits.
    await inPipelinedTransaction(dataSource, (transaction) => transaction.commit(hits(2)));
    expect((await hitsNow())[1].hits).toBe(1);
  });

  it('rolls back a unit that returns without committing, or throws between batches', async () => {
    await inPipelinedTransaction(dataSource, (transaction) => transaction.send(hits(1)));
    const thrown = await inPipelinedTransaction(dataSource, async (transaction) => {
      await transaction.send(hits(2));
      throw new Error('decided against it');
    }).then(unexpectedSuccess, (error: unknown) => error as Error);

    expect(thrown.message).toBe('decided against it');
    expect(await hitsNow()).toEqual([
      { id: 1, hits: 0 },
      { id: 2, hits: 0 },
    ]);
  });

  it('refuses a value pg cannot send before writing anything, and the connection stays usable', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const failure = await inPipelinedTransaction(dataSource, (transaction) =>
      transaction.commit(hits(1), command(`UPDATE probe SET note = $1`, [circular])),
    ).then(unexpectedSuccess, (error: unknown) => error as Error);

    expect(failure).toBeInstanceOf(Error);
    expect((await hitsNow())[0].hits).toBe(0);
    await inPipelinedTransaction(dataSource, (transaction) => transaction.commit(hits(1)));
    expect((await hitsNow())[0].hits).toBe(1);
  });

  it('refuses statements after the commit', async () => {
    const failure = await inPipelinedTransaction(dataSource, async (transaction) => {
      await transaction.commit(hits(1));
      await transaction.send(hits(2));
    }).then(unexpectedSuccess, (error: unknown) => error as Error);

    expect(failure.message).toBe('The transaction has already been committed');
    expect(await hitsNow()).toEqual([
      { id: 1, hits: 1 },
      { id: 2, hits: 0 },
    ]);
  });

  describe('prepared statements', () => {
    const preparedNow = () =>
      inPipelinedTransaction(dataSource, (transaction) =>
        transaction.commit(
          rowsOf(`SELECT statement FROM pg_prepared_statements WHERE $1 ORDER BY statement`, [
            true,
          ]),
        ),
      ).then(([rows]) => rows.map((row) => row.statement as string));
    const note = (id: number, text: string) =>
      command(`UPDATE probe SET note = $2 WHERE id = $1`, [id, text]);
    const notesNow = async () =>
      ((await dataSource.query(`SELECT note FROM probe ORDER BY id`)) as { note: string }[]).map(
        (row) => row.note,
      );

    it('prepares a parameterised statement once per connection and reuses it', async () => {
      await inPipelinedTransaction(dataSource, (transaction) => transaction.commit(note(1, 'a')));
      await inPipelinedTransaction(dataSource, async (transaction) => {
        await transaction.send(note(1, 'b'));
        await transaction.commit(note(2, 'c'), note(1, 'd'));
      });

      expect(await notesNow()).toEqual(['d', 'c']);
      const prepared = await preparedNow();
      expect(prepared.filter((text) => text === note(1, '').text)).toHaveLength(1);
      expect(prepared).not.toContain('BEGIN');
    });

    it('sends a Parse again when the server skipped it after an earlier failure, and not when it ran', async () => {
      const divide = (by: number) => rowsOf(`SELECT 10 / $1::int AS quotient`, [by]);
      const skipped = rowsOf(`SELECT $1::text || ' after the failure' AS text`, ['skipped']);
      const failure = await inPipelinedTransaction(dataSource, (transaction) =>
        transaction.commit(divide(0), skipped),
      ).then(unexpectedSuccess, (error: unknown) => error as Error);
      expect(failure.message).toBe('division by zero');

      // The division was parsed (it failed while executing); the second statement never was.
      const [[quotient], [text]] = await inPipelinedTransaction(dataSource, (transaction) =>
        transaction.commit(divide(5), skipped),
      );
      expect(quotient).toEqual({ quotient: 2 });
      expect(text).toEqual({ text: 'skipped after the failure' });
    });

    it('a statement prepared before a migration changed its rows runs again on a fresh connection', async () => {
      await dataSource.query(`CREATE TABLE reshaped (id int PRIMARY KEY, value int)`);
      await dataSource.query(`INSERT INTO reshaped VALUES (1, 42)`);
      const read = () =>
        inPipelinedTransaction(dataSource, (transaction) =>
          transaction.commit(rowsOf(`SELECT value FROM reshaped WHERE id = $1`, [1])),
        ).then(([rows]) => rows[0].value);

      expect(await read()).toBe(42);
      await dataSource.query(`ALTER TABLE reshaped ALTER COLUMN value TYPE text`);
      expect(await read()).toBe('42');
      expect(await read()).toBe('42');
    });

    it('a statement the server cannot parse fails each time with its own error, and the connection stays usable', async () => {
      const broken = rowsOf(`SELECT no_such_column FROM probe WHERE id = $1`, [1]);
      for (let attempt = 0; attempt < 2; attempt++) {
        const failure = await inPipelinedTransaction(dataSource, (transaction) =>
          transaction.commit(broken),
        ).then(unexpectedSuccess, (error: unknown) => error as Error);
        expect(failure.message).toBe('column "no_such_column" does not exist');
      }
      await inPipelinedTransaction(dataSource, (transaction) => transaction.commit(hits(1)));
      expect((await hitsNow())[0].hits).toBe(1);
    });
  });

  it('runs the whole unit again after a deadlock, so both units commit exactly once', async () => {
    // Two connections are needed for a deadlock.
    const wide = new DataSource({
      ...buildDataSourceOptions({ url: database.url, poolSize: 2 }),
      logging: false,
    });
    await wide.initialize();
    try {
      let bothHoldTheirFirstLock: () => void = () => undefined;
      let arrived = 0;
      const barrier = new Promise<void>((release) => (bothHoldTheirFirstLock = release));
      const attempts: number[] = [];
      const unit = (first: number, second: number) =>
        inPipelinedTransaction(wide, async (transaction) => {
          attempts.push(first);
          await transaction.send(hits(first));
          if (++arrived === 2) bothHoldTheirFirstLock();
          await barrier;
          await transaction.commit(hits(second));
        });

      await Promise.all([unit(1, 2), unit(2, 1)]);

      expect(attempts).toHaveLength(3); // one of the two ran twice
      expect(await hitsNow()).toEqual([
        { id: 1, hits: 2 },
        { id: 2, hits: 2 },
      ]);
    } finally {
      await wide.destroy();
    }
  });

  /** Runs a first batch, ends its backend from another connection, then `next` on the dead one. */
  const afterLostConnection = (next: (transaction: PipelinedTransaction) => Promise<unknown>) =>
    inPipelinedTransaction(dataSource, async (transaction) => {
      const [, [{ pid }]] = await transaction.send(
        hits(1, 100),
        rowsOf(`SELECT pg_backend_pid() AS pid`),
      );
      const killer = new DataSource({
        ...buildDataSourceOptions({ url: database.url }),
        logging: false,
      });
      await killer.initialize();
      await killer.query(`SELECT pg_terminate_backend($1)`, [pid]);
      await killer.destroy();
      await next(transaction);
    }).catch((error: unknown) => error);

  it('reports a connection that fails mid-transaction as the database being unavailable, and writes nothing', async () => {
    const failure = await afterLostConnection((transaction) => transaction.send(hits(2)));

    expect(failure).toBeInstanceOf(DatabaseConnectionLostError);
    expect(whyDatabaseUnavailable(failure)).toBe('unreachable');
    expect(await hitsNow()).toEqual([
      { id: 1, hits: 0 },
      { id: 2, hits: 0 },
    ]);
  });

  it('a connection that fails once COMMIT was sent leaves the outcome unknown, not "nothing written"', async () => {
    // Here the server was gone before the COMMIT arrived; after a shutdown that lands between
    // the commit and its answer the client sees the same error with the sale written.
    const failure = await afterLostConnection((transaction) => transaction.commit(hits(2)));

    expect(failure).toBeInstanceOf(CommitOutcomeUnknownError);
    expect(isDatabaseUnavailable(failure)).toBe(true);
    expect(whyDatabaseUnavailable(failure)).toBe('outcome-unknown');
  });
});
