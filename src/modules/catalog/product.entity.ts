import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const TAX_CLASSES = ['standard', 'zero', 'exempt'] as const;
export type TaxClass = (typeof TAX_CLASSES)[number];

@Entity('products')
@Check('ck_products_prices', `"unit_price" >= 0 AND "cost_price" >= 0`)
@Check('ck_products_reorder_level', `"reorder_level" >= 0`)
@Check('ck_products_tax_class', `"tax_class" IN ('standard', 'zero', 'exempt')`)
// The list order (name, id): a page of the unfiltered catalogue is an index scan, not a sort.
// Substring search uses trigram indexes on lower(name), lower(sku) and lower(barcode), declared
// in the Catalogue migration only: TypeORM cannot describe expression indexes and ignores them.
@Index('ix_products_name_id', ['name', 'id'])
export class Product {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('uq_products_sku', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  sku: string;

  @Index('uq_products_barcode', { unique: true })
  @Column({ type: 'varchar', length: 32, nullable: true })
  barcode: string | null;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Index('ix_products_category')
  @Column({ type: 'varchar', length: 100, nullable: true })
  category: string | null;

  /** VAT-inclusive selling price in minor units (cents). */
  @Column({ type: 'bigint' })
  unitPrice: number;

  /** Purchase cost in minor units. */
  @Column({ type: 'bigint', default: 0 })
  costPrice: number;

  @Column({ type: 'varchar', length: 16, default: 'standard' })
  taxClass: TaxClass;

  /** Default reorder level at every store; a store may override it in its inventory row. */
  @Column({ type: 'integer', default: 0 })
  reorderLevel: number;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
