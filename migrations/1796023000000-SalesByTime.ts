import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sales list and export are ordered by (occurred_at, id) newest first: without a store
 * filter (an admin, a manager of several stores) every page sorted the whole table.
 *
 * Built CONCURRENTLY, outside a transaction: a plain CREATE INDEX would hold up every sale of
 * the replicas still running (a rolling deploy) for as long as the build takes.
 */
export class SalesByTime1796023000000 implements MigrationInterface {
  name = 'SalesByTime1796023000000';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    // On the boot path the connection is the pool's, with the API's statement timeout.
    await queryRunner.query(`SET statement_timeout = 0`);
    try {
      await queryRunner.query(
        `CREATE INDEX CONCURRENTLY IF NOT EXISTS "ix_sales_occurred" ON "sales" ("occurred_at", "id")`,
      );
    } finally {
      await queryRunner.query(`RESET statement_timeout`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Not CONCURRENTLY: TypeORM reverts inside a transaction whatever `transaction` says, and
    // dropping an index is quick.
    await queryRunner.query(`DROP INDEX IF EXISTS "public"."ix_sales_occurred"`);
  }
}
