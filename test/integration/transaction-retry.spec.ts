import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { inTransaction } from '../../src/common/database/transaction';
import {
  CommitOutcomeUnknownError,
  DatabaseConnectionLostError,
  whyDatabaseUnavailable,
} from '../../src/common/errors/database-errors';
import { createTestDatabase, TestDatabase } from '../support/database';

describe('inTransaction on real PostgreSQL failures', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource({
      ...buildDataSourceOptions({ url: database.url, poolSize: 4 }),
      logging: false,
    });
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE retry_probe (id int PRIMARY KEY, hits int NOT NULL)`);
    await dataSource.query(`INSERT INTO retry_probe VALUES (1, 0), (2, 0)`);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('runs the aborted unit again in a fresh transaction, so both units commit exactly once', async () => {
    let bothHoldTheirFirstLock: () => void = () => undefined;
    let arrived = 0;
    const barrier = new Promise<void>((release) => (bothHoldTheirFirstLock = release));
    const attempts: number[] = [];
    const unit = (first: number, second: number) =>
      inTransaction(dataSource, async (manager) => {
        attempts.push(first);
        await manager.query(`UPDATE retry_probe SET hits = hits + 1 WHERE id = $1`, [first]);
        if (++arrived === 2) bothHoldTheirFirstLock();
        await barrier;
        await manager.query(`UPDATE retry_probe SET hits = hits + 1 WHERE id = $1`, [second]);
      });

    await Promise.all([unit(1, 2), unit(2, 1)]);

    expect(attempts).toHaveLength(3); // one of the two ran twice
    const rows = await dataSource.query(`SELECT id, hits FROM retry_probe ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, hits: 2 },
      { id: 2, hits: 2 },
    ]);
  });

  it('reports a connection that fails mid-transaction as the database being unavailable, not as a released query runner', async () => {
    const before = await dataSource.query(`SELECT hits FROM retry_probe WHERE id = 1`);
    const failure = await inTransaction(dataSource, async (manager) => {
      await manager.query(`UPDATE retry_probe SET hits = hits + 100 WHERE id = 1`);
      const [{ pid }] = await manager.query(`SELECT pg_backend_pid() AS pid`);
      await dataSource.query(`SELECT pg_terminate_backend($1)`, [pid]);
      // The server's FATAL arrives between two statements: TypeORM releases the query runner.
      await new Promise((wait) => setTimeout(wait, 300));
      await manager.query(`SELECT 1`);
    }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(DatabaseConnectionLostError);
    expect(whyDatabaseUnavailable(failure)).toBe('unreachable');
    expect(await dataSource.query(`SELECT hits FROM retry_probe WHERE id = 1`)).toEqual(before);
  });

  it('a connection that fails once the unit is done (at COMMIT) leaves the outcome unknown', async () => {
    // Here the server is gone before the COMMIT arrives; a shutdown between the commit and its
    // answer looks the same to the client, with the change written.
    const failure = await inTransaction(dataSource, async (manager) => {
      await manager.query(`UPDATE retry_probe SET hits = hits + 100 WHERE id = 1`);
      const [{ pid }] = await manager.query(`SELECT pg_backend_pid() AS pid`);
      await dataSource.query(`SELECT pg_terminate_backend($1)`, [pid]);
      await new Promise((wait) => setTimeout(wait, 300));
    }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(CommitOutcomeUnknownError);
    expect(whyDatabaseUnavailable(failure)).toBe('outcome-unknown');
  });
});
