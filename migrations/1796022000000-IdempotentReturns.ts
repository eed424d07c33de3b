import { MigrationInterface, QueryRunner } from 'typeorm';

/** An Idempotency-Key may also record a return (POST /sales/:id/returns), never both. */
export class IdempotentReturns1796022000000 implements MigrationInterface {
  name = 'IdempotentReturns1796022000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "return_id" uuid`);
    await queryRunner.query(
      // NOT VALID: every existing key is a sale's (return_id is new), and checking them would
      // hold the table every sale writes to.
      `ALTER TABLE "idempotency_keys" ADD CONSTRAINT "ck_idempotency_keys_one_record" CHECK ("sale_id" IS NULL OR "return_id" IS NULL) NOT VALID`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "idempotency_keys" DROP CONSTRAINT "ck_idempotency_keys_one_record"`,
    );
    await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "return_id"`);
  }
}
