import { MigrationInterface, QueryRunner } from 'typeorm';

export class SalePaymentPosition1795998531328 implements MigrationInterface {
  name = 'SalePaymentPosition1795998531328';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "sale_payments" ADD "position" smallint NOT NULL DEFAULT '0'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sale_payments" DROP COLUMN "position"`);
  }
}
