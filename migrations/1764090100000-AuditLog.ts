import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1764090100000 implements MigrationInterface {
  name = 'AuditLog1764090100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_logs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "user_id" uuid, "username" character varying(100), "action" character varying(64) NOT NULL, "entity_type" character varying(64), "entity_id" character varying(64), "store_id" uuid, "ip" character varying(64), "user_agent" character varying(500), "details" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "pk_audit_logs" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_logs_occurred_at_user_id" ON "audit_logs" ("occurred_at", "user_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_logs_user_id_occurred_at" ON "audit_logs" ("user_id", "occurred_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_logs_action_occurred_at" ON "audit_logs" ("action", "occurred_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_logs_entity_type_entity_id" ON "audit_logs" ("entity_type", "entity_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_logs_store_id_occurred_at" ON "audit_logs" ("store_id", "occurred_at")`,
    );
    // Append-only, whoever connects: a statement-level trigger refuses every UPDATE, DELETE and
    // TRUNCATE, including those that would touch no row.
    await queryRunner.query(
      `CREATE FUNCTION audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_logs is append-only' USING DETAIL = TG_OP || ' is not allowed';
END
$$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON "audit_logs" FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_append_only()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER audit_logs_append_only ON "audit_logs"`);
    await queryRunner.query(`DROP FUNCTION audit_logs_append_only()`);
    await queryRunner.query(`DROP INDEX "ix_audit_logs_store_id_occurred_at"`);
    await queryRunner.query(`DROP INDEX "ix_audit_logs_entity_type_entity_id"`);
    await queryRunner.query(`DROP INDEX "ix_audit_logs_action_occurred_at"`);
    await queryRunner.query(`DROP INDEX "ix_audit_logs_user_id_occurred_at"`);
    await queryRunner.query(`DROP INDEX "ix_audit_logs_occurred_at_user_id"`);
    await queryRunner.query(`DROP TABLE "audit_logs"`);
  }
}
