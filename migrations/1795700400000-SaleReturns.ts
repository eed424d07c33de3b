import { MigrationInterface, QueryRunner } from 'typeorm';

export class SaleReturns1795700400000 implements MigrationInterface {
  name = 'SaleReturns1795700400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sale_returns" ("id" uuid NOT NULL, "sale_id" uuid NOT NULL, "store_id" uuid NOT NULL, "reason" character varying(200) NOT NULL, "restock" boolean NOT NULL, "refund_method" character varying(8) NOT NULL, "refund_total" bigint NOT NULL, "vat_refund" bigint NOT NULL, "commission_reversed" bigint NOT NULL, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_sale_returns_amounts" CHECK ("refund_total" >= 0 AND "vat_refund" >= 0 AND "commission_reversed" >= 0), CONSTRAINT "ck_sale_returns_refund_method" CHECK ("refund_method" IN ('cash', 'mpesa', 'card')), CONSTRAINT "PK_0dacb97f81ef1ca47f61409f844" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_sale_returns_sale" ON "sale_returns"  ("sale_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_sale_returns_store_created" ON "sale_returns"  ("store_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sale_return_lines" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "return_id" uuid NOT NULL, "sale_line_id" uuid NOT NULL, "product_id" uuid NOT NULL, "quantity" integer NOT NULL, "refund" bigint NOT NULL, "vat" bigint NOT NULL, CONSTRAINT "ck_sale_return_lines_values" CHECK ("quantity" > 0 AND "refund" >= 0 AND "vat" >= 0), CONSTRAINT "PK_86acacfcdc5fa0272b4af7f7345" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_sale_return_lines_sale_line" ON "sale_return_lines"  ("sale_line_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_sale_return_lines_return" ON "sale_return_lines"  ("return_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "sale_returns" ADD CONSTRAINT "fk_sale_returns_sale" FOREIGN KEY ("sale_id") REFERENCES "sales"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sale_return_lines" ADD CONSTRAINT "fk_sale_return_lines_return" FOREIGN KEY ("return_id") REFERENCES "sale_returns"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sale_return_lines" ADD CONSTRAINT "fk_sale_return_lines_sale_line" FOREIGN KEY ("sale_line_id") REFERENCES "sale_lines"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "sale_return_lines" DROP CONSTRAINT "fk_sale_return_lines_sale_line"`,
    );
    await queryRunner.query(
      `ALTER TABLE "sale_return_lines" DROP CONSTRAINT "fk_sale_return_lines_return"`,
    );
    await queryRunner.query(`ALTER TABLE "sale_returns" DROP CONSTRAINT "fk_sale_returns_sale"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sale_return_lines_return"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sale_return_lines_sale_line"`);
    await queryRunner.query(`DROP TABLE "sale_return_lines"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sale_returns_store_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sale_returns_sale"`);
    await queryRunner.query(`DROP TABLE "sale_returns"`);
  }
}
