import { MigrationInterface, QueryRunner } from 'typeorm';

export class Transfers1795700500000 implements MigrationInterface {
  name = 'Transfers1795700500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "transfers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "from_store_id" uuid NOT NULL, "to_store_id" uuid NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "note" character varying(500), "reason" character varying(500), "requested_by" uuid NOT NULL, "decided_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "decided_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_transfers_decision" CHECK (("status" = 'pending') = ("decided_at" IS NULL)), CONSTRAINT "ck_transfers_status" CHECK ("status" IN ('pending', 'completed', 'rejected', 'cancelled')), CONSTRAINT "ck_transfers_stores" CHECK ("from_store_id" <> "to_store_id"), CONSTRAINT "PK_f712e908b465e0085b4408cabc3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_transfers_to_store_status" ON "transfers"  ("to_store_id", "status") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_transfers_from_store_status" ON "transfers"  ("from_store_id", "status") `,
    );
    await queryRunner.query(
      `CREATE TABLE "transfer_items" ("transfer_id" uuid NOT NULL, "product_id" uuid NOT NULL, "line_no" smallint NOT NULL, "quantity" integer NOT NULL, CONSTRAINT "ck_transfer_items_quantity" CHECK ("quantity" > 0), CONSTRAINT "pk_transfer_items" PRIMARY KEY ("transfer_id", "product_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_transfer_items_product" ON "transfer_items"  ("product_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "transfers" ADD CONSTRAINT "fk_transfers_from_store" FOREIGN KEY ("from_store_id") REFERENCES "stores"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "transfers" ADD CONSTRAINT "fk_transfers_to_store" FOREIGN KEY ("to_store_id") REFERENCES "stores"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "transfers" ADD CONSTRAINT "fk_transfers_requested_by" FOREIGN KEY ("requested_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "transfers" ADD CONSTRAINT "fk_transfers_decided_by" FOREIGN KEY ("decided_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "transfer_items" ADD CONSTRAINT "fk_transfer_items_transfer" FOREIGN KEY ("transfer_id") REFERENCES "transfers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "transfer_items" ADD CONSTRAINT "fk_transfer_items_product" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "transfer_items" DROP CONSTRAINT "fk_transfer_items_product"`,
    );
    await queryRunner.query(
      `ALTER TABLE "transfer_items" DROP CONSTRAINT "fk_transfer_items_transfer"`,
    );
    await queryRunner.query(`ALTER TABLE "transfers" DROP CONSTRAINT "fk_transfers_decided_by"`);
    await queryRunner.query(`ALTER TABLE "transfers" DROP CONSTRAINT "fk_transfers_requested_by"`);
    await queryRunner.query(`ALTER TABLE "transfers" DROP CONSTRAINT "fk_transfers_to_store"`);
    await queryRunner.query(`ALTER TABLE "transfers" DROP CONSTRAINT "fk_transfers_from_store"`);
    await queryRunner.query(`DROP INDEX "public"."ix_transfer_items_product"`);
    await queryRunner.query(`DROP TABLE "transfer_items"`);
    await queryRunner.query(`DROP INDEX "public"."ix_transfers_from_store_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_transfers_to_store_status"`);
    await queryRunner.query(`DROP TABLE "transfers"`);
  }
}
