import { MigrationInterface, QueryRunner } from 'typeorm';

export class Outbox1795700200000 implements MigrationInterface {
  name = 'Outbox1795700200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "outbox" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "type" character varying(32) NOT NULL, "payload" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "relayed_at" TIMESTAMP WITH TIME ZONE, "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "claimed_until" TIMESTAMP WITH TIME ZONE, "delivered_at" TIMESTAMP WITH TIME ZONE, "last_error" text, CONSTRAINT "pk_outbox" PRIMARY KEY ("id"))`,
    );
    // Pollers scan only what is still to deliver, oldest due first; delivered rows drop out.
    await queryRunner.query(
      `CREATE INDEX "ix_outbox_pending_next_attempt_at" ON "outbox" ("next_attempt_at") WHERE "delivered_at" IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_outbox_pending_next_attempt_at"`);
    await queryRunner.query(`DROP TABLE "outbox"`);
  }
}
