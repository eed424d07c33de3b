import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sales list and export are ordered by (occurred_at, id) newest first: without a store
 * filter (an admin, a manager of several stores) every page sorted the whole table.
 */
export class SalesByTime1796023000000 implements MigrationInterface {
  name = 'SalesByTime1796023000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`SET LOCAL statement_timeout = 0`);
    await queryRunner.query(`CREATE INDEX "ix_sales_occurred" ON "sales" ("occurred_at", "id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_sales_occurred"`);
  }
}
