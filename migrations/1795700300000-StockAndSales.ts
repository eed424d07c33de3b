import { MigrationInterface, QueryRunner } from 'typeorm';

export class StockAndSales1795700300000 implements MigrationInterface {
  name = 'StockAndSales1795700300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "inventory" ("store_id" uuid NOT NULL, "product_id" uuid NOT NULL, "quantity" integer NOT NULL DEFAULT '0', "reorder_level" integer, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_inventory_reorder_level" CHECK ("reorder_level" IS NULL OR "reorder_level" >= 0), CONSTRAINT "ck_inventory_quantity" CHECK ("quantity" >= 0), CONSTRAINT "PK_fc316ce3036da638cd5a295e8b8" PRIMARY KEY ("store_id", "product_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_inventory_product" ON "inventory"  ("product_id") `);
    await queryRunner.query(
      `CREATE TABLE "stock_movements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "store_id" uuid NOT NULL, "product_id" uuid NOT NULL, "delta" integer NOT NULL, "quantity_after" integer NOT NULL, "reason" character varying(32) NOT NULL, "reference_type" character varying(32), "reference_id" uuid, "user_id" uuid, "note" character varying(500), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_stock_movements_quantity_after" CHECK ("quantity_after" >= 0), CONSTRAINT "PK_57a26b190618550d8e65fb860e7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_stock_movements_reference" ON "stock_movements"  ("reference_type", "reference_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_stock_movements_store_created" ON "stock_movements"  ("store_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_stock_movements_store_product_created" ON "stock_movements"  ("store_id", "product_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("user_id" uuid NOT NULL, "key" character varying(255) NOT NULL, "request_hash" character(64) NOT NULL, "sale_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_392b1af86f210d98d3f0c764728" PRIMARY KEY ("user_id", "key"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_idempotency_keys_created" ON "idempotency_keys"  ("created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "receipt_counters" ("store_id" uuid NOT NULL, "last_number" integer NOT NULL, CONSTRAINT "PK_e80f85370f96309ee5d80999c2f" PRIMARY KEY ("store_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "sales" ("id" uuid NOT NULL, "store_id" uuid NOT NULL, "receipt_seq" integer NOT NULL, "receipt_number" character varying(24) NOT NULL, "cashier_id" uuid NOT NULL, "status" character varying(24) NOT NULL DEFAULT 'completed', "subtotal" bigint NOT NULL, "discount_total" bigint NOT NULL, "vat_total" bigint NOT NULL, "total" bigint NOT NULL, "paid" bigint NOT NULL, "change" bigint NOT NULL, "commission" bigint NOT NULL, "commission_rate_bp" integer NOT NULL, "commission_reversed" bigint NOT NULL DEFAULT '0', "vat_breakdown" jsonb NOT NULL, "customer_phone" character varying(16), "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_sales_amounts" CHECK ("total" >= 0 AND "vat_total" >= 0 AND "paid" >= "total" AND "change" >= 0), CONSTRAINT "ck_sales_status" CHECK ("status" IN ('completed', 'partially_returned', 'returned')), CONSTRAINT "PK_4f0bc990ae81dba46da680895ea" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_sales_cashier_occurred" ON "sales"  ("cashier_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_sales_store_occurred" ON "sales"  ("store_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_sales_store_receipt" ON "sales"  ("store_id", "receipt_seq") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sale_lines" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "sale_id" uuid NOT NULL, "line_no" smallint NOT NULL, "product_id" uuid NOT NULL, "sku" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "quantity" integer NOT NULL, "unit_price" bigint NOT NULL, "discount" bigint NOT NULL, "tax_class" character varying(16) NOT NULL, "vat_rate_bp" integer NOT NULL, "vat" bigint NOT NULL, "total" bigint NOT NULL, "returned_quantity" integer NOT NULL DEFAULT '0', CONSTRAINT "ck_sale_lines_quantity" CHECK ("quantity" > 0 AND "returned_quantity" >= 0 AND "returned_quantity" <= "quantity"), CONSTRAINT "PK_d3e4396511029d8a97d9e946fb1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_sale_lines_product" ON "sale_lines"  ("product_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ix_sale_lines_sale" ON "sale_lines"  ("sale_id", "line_no") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sale_payments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "sale_id" uuid NOT NULL, "method" character varying(8) NOT NULL, "amount" bigint NOT NULL, "reference" character varying(64), "phone" character varying(16), CONSTRAINT "ck_sale_payments_amount" CHECK ("amount" > 0), CONSTRAINT "PK_1117d02608a00d131b95f60a58e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_sale_payments_sale" ON "sale_payments"  ("sale_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "inventory" ADD CONSTRAINT "fk_inventory_store" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "inventory" ADD CONSTRAINT "fk_inventory_product" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sales" ADD CONSTRAINT "fk_sales_store" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sale_lines" ADD CONSTRAINT "fk_sale_lines_sale" FOREIGN KEY ("sale_id") REFERENCES "sales"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sale_payments" ADD CONSTRAINT "fk_sale_payments_sale" FOREIGN KEY ("sale_id") REFERENCES "sales"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // The ledger is append-only: corrections are new movements, never edits.
    await queryRunner.query(
      `CREATE FUNCTION stock_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'stock_movements is append-only' USING DETAIL = TG_OP || ' is not allowed';
END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON "stock_movements" FOR EACH STATEMENT EXECUTE FUNCTION stock_movements_append_only()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER stock_movements_append_only ON "stock_movements"`);
    await queryRunner.query(`DROP FUNCTION stock_movements_append_only()`);
    await queryRunner.query(`ALTER TABLE "sale_payments" DROP CONSTRAINT "fk_sale_payments_sale"`);
    await queryRunner.query(`ALTER TABLE "sale_lines" DROP CONSTRAINT "fk_sale_lines_sale"`);
    await queryRunner.query(`ALTER TABLE "sales" DROP CONSTRAINT "fk_sales_store"`);
    await queryRunner.query(`ALTER TABLE "inventory" DROP CONSTRAINT "fk_inventory_product"`);
    await queryRunner.query(`ALTER TABLE "inventory" DROP CONSTRAINT "fk_inventory_store"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sale_payments_sale"`);
    await queryRunner.query(`DROP TABLE "sale_payments"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sale_lines_sale"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sale_lines_product"`);
    await queryRunner.query(`DROP TABLE "sale_lines"`);
    await queryRunner.query(`DROP INDEX "public"."uq_sales_store_receipt"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sales_store_occurred"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sales_cashier_occurred"`);
    await queryRunner.query(`DROP TABLE "sales"`);
    await queryRunner.query(`DROP TABLE "receipt_counters"`);
    await queryRunner.query(`DROP INDEX "public"."ix_idempotency_keys_created"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    await queryRunner.query(`DROP INDEX "public"."ix_stock_movements_store_product_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_stock_movements_store_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_stock_movements_reference"`);
    await queryRunner.query(`DROP TABLE "stock_movements"`);
    await queryRunner.query(`DROP INDEX "public"."ix_inventory_product"`);
    await queryRunner.query(`DROP TABLE "inventory"`);
  }
}
