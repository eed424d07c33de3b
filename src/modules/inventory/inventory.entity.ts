import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Product } from '../catalog/product.entity';
import { Store } from '../stores/store.entity';

/** Quantity of one product at one store. Changed only by InventoryService.move. */
@Entity('inventory')
@Check('ck_inventory_quantity', `"quantity" >= 0`)
@Check('ck_inventory_reorder_level', `"reorder_level" IS NULL OR "reorder_level" >= 0`)
@Index('ix_inventory_product', ['productId'])
export class Inventory {
  @PrimaryColumn('uuid')
  storeId: string;

  @PrimaryColumn('uuid')
  productId: string;

  @ManyToOne(() => Store, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'store_id', foreignKeyConstraintName: 'fk_inventory_store' })
  store?: Store;

  @ManyToOne(() => Product, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'fk_inventory_product' })
  product?: Product;

  @Column({ type: 'integer', default: 0 })
  quantity: number;

  /** This store's level; null means the product's default. */
  @Column({ type: 'integer', nullable: true })
  reorderLevel: number | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
