import { MigrationInterface, QueryRunner } from 'typeorm';

export class OutboxDeliveredIndex1795996695131 implements MigrationInterface {
  name = 'OutboxDeliveredIndex1795996695131';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_outbox_delivered_at" ON "outbox"  ("delivered_at") WHERE "delivered_at" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_delivered_at"`);
  }
}
