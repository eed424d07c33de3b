import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const ADJUSTMENT_REASONS = [
  'receiving',
  'damage',
  'theft',
  'count',
  'correction',
  'expiry',
] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];
export const MOVEMENT_REASONS = [
  ...ADJUSTMENT_REASONS,
  'sale',
  'return',
  'transfer_out',
  'transfer_in',
] as const;
export type MovementReason = (typeof MOVEMENT_REASONS)[number];

/**
 * The append-only stock ledger: for every store and product, sum(delta) = inventory.quantity.
 * A trigger refuses UPDATE, DELETE and TRUNCATE.
 */
@Entity('stock_movements')
@Index('ix_stock_movements_store_product_created', ['storeId', 'productId', 'createdAt'])
@Index('ix_stock_movements_store_created', ['storeId', 'createdAt'])
@Index('ix_stock_movements_reference', ['referenceType', 'referenceId'])
@Check('ck_stock_movements_quantity_after', `"quantity_after" >= 0`)
export class StockMovement {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  storeId: string;

  @Column('uuid')
  productId: string;

  @Column('integer')
  delta: number;

  @Column('integer')
  quantityAfter: number;

  @Column({ type: 'varchar', length: 32 })
  reason: MovementReason;

  @Column({ type: 'varchar', length: 32, nullable: true })
  referenceType: string | null;

  @Column({ type: 'uuid', nullable: true })
  referenceId: string | null;

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
