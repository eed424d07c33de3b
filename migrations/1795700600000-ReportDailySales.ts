import { MigrationInterface, QueryRunner } from 'typeorm';

export class ReportDailySales1795700600000 implements MigrationInterface {
  name = 'ReportDailySales1795700600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "report_daily_sales" ("store_id" uuid NOT NULL, "day" date NOT NULL, "time_zone" character varying(64) NOT NULL, "backdate_hours" integer NOT NULL, "sales_count" integer NOT NULL, "items" bigint NOT NULL, "gross" bigint NOT NULL, "discounts" bigint NOT NULL, "vat" bigint NOT NULL, "total" bigint NOT NULL, "change" bigint NOT NULL, "cash_payments" integer NOT NULL, "cash_amount" bigint NOT NULL, "mpesa_payments" integer NOT NULL, "mpesa_amount" bigint NOT NULL, "card_payments" integer NOT NULL, "card_amount" bigint NOT NULL, "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_59f4cadcbfd63bf3290a09b3c26" PRIMARY KEY ("store_id", "day"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_daily_sales" ADD CONSTRAINT "fk_report_daily_sales_store" FOREIGN KEY ("store_id") REFERENCES "stores"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "report_daily_sales" DROP CONSTRAINT "fk_report_daily_sales_store"`,
    );
    await queryRunner.query(`DROP TABLE "report_daily_sales"`);
  }
}
