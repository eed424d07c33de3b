import { MigrationInterface, QueryRunner } from 'typeorm';

export class Catalogue1795700000000 implements MigrationInterface {
  name = 'Catalogue1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE TABLE "products" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "sku" character varying(64) NOT NULL, "barcode" character varying(32), "name" character varying(200) NOT NULL, "category" character varying(100), "unit_price" bigint NOT NULL, "cost_price" bigint NOT NULL DEFAULT '0', "tax_class" character varying(16) NOT NULL DEFAULT 'standard', "reorder_level" integer NOT NULL DEFAULT '0', "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_products_tax_class" CHECK ("tax_class" IN ('standard', 'zero', 'exempt')), CONSTRAINT "ck_products_reorder_level" CHECK ("reorder_level" >= 0), CONSTRAINT "ck_products_prices" CHECK ("unit_price" >= 0 AND "cost_price" >= 0), CONSTRAINT "PK_0806c755e0aca124e67c0cf6d7d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_products_sku" ON "products"  ("sku") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_products_barcode" ON "products"  ("barcode") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_products_category" ON "products"  ("category") `);
    await queryRunner.query(`CREATE INDEX "ix_products_name_id" ON "products"  ("name", "id") `);
    // Case-insensitive substring search (`lower(col) LIKE lower('%milk%')`) on 100k+ products.
    // Expression indexes: TypeORM does not load them, so they cause no schema drift.
    await queryRunner.query(
      `CREATE INDEX "ix_products_name_trgm" ON "products" USING gin (lower("name") gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_products_sku_trgm" ON "products" USING gin (lower("sku") gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_products_barcode_trgm" ON "products" USING gin (lower("barcode") gin_trgm_ops)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_products_barcode_trgm"`);
    await queryRunner.query(`DROP INDEX "public"."ix_products_sku_trgm"`);
    await queryRunner.query(`DROP INDEX "public"."ix_products_name_trgm"`);
    await queryRunner.query(`DROP INDEX "public"."ix_products_name_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_products_category"`);
    await queryRunner.query(`DROP INDEX "public"."uq_products_barcode"`);
    await queryRunner.query(`DROP INDEX "public"."uq_products_sku"`);
    await queryRunner.query(`DROP TABLE "products"`);
    // pg_trgm stays: other tables' indexes may use it, and an unused extension is harmless.
  }
}
