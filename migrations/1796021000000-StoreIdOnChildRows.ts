import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every store-owned row carries its store (DESIGN: the schema stays shardable by store): a
 * sale's lines and payments, a return's lines, and a transfer's items (owned by the source
 * store, whose manager decides the transfer) get the store id, filled from their parent, and
 * reference their parent together with it (the parent's column has the same name), so the two
 * can never disagree.
 *
 * The version before this one inserts these rows without the store: until no replica runs it
 * (a rolling deploy), a trigger fills the store from the parent when an insert leaves it out.
 * Drop the triggers in a release after this one.
 */
const NEW_COLUMNS = [
  { table: 'sale_lines', column: 'store_id', parentKey: 'sale_id', parent: 'sales' },
  { table: 'sale_payments', column: 'store_id', parentKey: 'sale_id', parent: 'sales' },
  {
    table: 'sale_return_lines',
    column: 'store_id',
    parentKey: 'return_id',
    parent: 'sale_returns',
  },
  {
    table: 'transfer_items',
    column: 'from_store_id',
    parentKey: 'transfer_id',
    parent: 'transfers',
  },
];

/** What the children reference: the parent's id with its store. */
const PARENT_KEYS = [
  { table: 'sales', constraint: 'uq_sales_store_id', column: 'store_id' },
  { table: 'sale_lines', constraint: 'uq_sale_lines_store_id', column: 'store_id' },
  { table: 'sale_returns', constraint: 'uq_sale_returns_store_id', column: 'store_id' },
  { table: 'transfers', constraint: 'uq_transfers_from_store_id', column: 'from_store_id' },
];

const REFERENCES = [
  {
    table: 'sale_lines',
    fk: 'fk_sale_lines_sale',
    column: 'store_id',
    key: 'sale_id',
    parent: 'sales',
    parentColumn: 'store_id',
  },
  {
    table: 'sale_payments',
    fk: 'fk_sale_payments_sale',
    column: 'store_id',
    key: 'sale_id',
    parent: 'sales',
    parentColumn: 'store_id',
  },
  {
    table: 'sale_returns',
    fk: 'fk_sale_returns_sale',
    column: 'store_id',
    key: 'sale_id',
    parent: 'sales',
    parentColumn: 'store_id',
  },
  {
    table: 'sale_return_lines',
    fk: 'fk_sale_return_lines_return',
    column: 'store_id',
    key: 'return_id',
    parent: 'sale_returns',
    parentColumn: 'store_id',
  },
  {
    table: 'sale_return_lines',
    fk: 'fk_sale_return_lines_sale_line',
    column: 'store_id',
    key: 'sale_line_id',
    parent: 'sale_lines',
    parentColumn: 'store_id',
  },
  {
    table: 'transfer_items',
    fk: 'fk_transfer_items_transfer',
    column: 'from_store_id',
    key: 'transfer_id',
    parent: 'transfers',
    parentColumn: 'from_store_id',
  },
];

export class StoreIdOnChildRows1796021000000 implements MigrationInterface {
  name = 'StoreIdOnChildRows1796021000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // The backfill reads and rewrites every line; on the boot path (DATABASE_MIGRATIONS_RUN)
    // the pool's statement timeout would cancel it on a large database.
    await queryRunner.query(`SET LOCAL statement_timeout = 0`);
    for (const { table, column, parentKey, parent } of NEW_COLUMNS) {
      await queryRunner.query(`ALTER TABLE "${table}" ADD "${column}" uuid`);
      await queryRunner.query(
        `UPDATE "${table}" c SET "${column}" = p."${column}"
           FROM "${parent}" p WHERE p."id" = c."${parentKey}"`,
      );
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" SET NOT NULL`);
    }
    for (const { table, constraint, column } of PARENT_KEYS) {
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD CONSTRAINT "${constraint}" UNIQUE ("${column}", "id")`,
      );
    }
    for (const { table, fk, column, key, parent, parentColumn } of REFERENCES) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${fk}"`);
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD CONSTRAINT "${fk}" FOREIGN KEY ("${column}", "${key}") REFERENCES "${parent}"("${parentColumn}", "id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
      );
    }
    for (const { table, column, parentKey, parent } of NEW_COLUMNS) {
      await queryRunner.query(
        `CREATE FUNCTION "${table}_fill_${column}"() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           SELECT "${column}" INTO NEW."${column}" FROM "${parent}" WHERE "id" = NEW."${parentKey}";
           RETURN NEW;
         END $$`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_fill_${column}" BEFORE INSERT ON "${table}" FOR EACH ROW
           WHEN (NEW."${column}" IS NULL) EXECUTE FUNCTION "${table}_fill_${column}"()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table, column } of NEW_COLUMNS) {
      await queryRunner.query(`DROP TRIGGER "${table}_fill_${column}" ON "${table}"`);
      await queryRunner.query(`DROP FUNCTION "${table}_fill_${column}"()`);
    }
    for (const { table, fk, key, parent } of REFERENCES) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${fk}"`);
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD CONSTRAINT "${fk}" FOREIGN KEY ("${key}") REFERENCES "${parent}"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
      );
    }
    for (const { table, constraint } of PARENT_KEYS) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${constraint}"`);
    }
    for (const { table, column } of NEW_COLUMNS) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "${column}"`);
    }
  }
}
