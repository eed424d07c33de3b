import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { Sale } from './sale.entity';
import type { TaxClass } from '../catalog/product.entity';

const money = { type: 'bigint' } as const;

@Entity('sale_lines')
@Unique('uq_sale_lines_store_id', ['storeId', 'id'])
@Index('ix_sale_lines_sale', ['saleId', 'lineNo'], { unique: true })
@Index('ix_sale_lines_product', ['productId'])
@Check(
  'ck_sale_lines_quantity',
  `"quantity" > 0 AND "returned_quantity" >= 0 AND "returned_quantity" <= "quantity"`,
)
export class SaleLine {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  saleId: string;

  /** The sale's store: every store-owned row carries it (DESIGN: shardable by store). */
  @Column('uuid')
  storeId: string;

  @ManyToOne(() => Sale, { onDelete: 'RESTRICT' })
  @JoinColumn([
    {
      name: 'store_id',
      referencedColumnName: 'storeId',
      foreignKeyConstraintName: 'fk_sale_lines_sale',
    },
    { name: 'sale_id', referencedColumnName: 'id' },
  ])
  sale?: Sale;

  @Column('smallint')
  lineNo: number;

  @Column('uuid')
  productId: string;

  /** Catalogue values copied at the time of sale: later price changes do not rewrite receipts. */
  @Column({ type: 'varchar', length: 64 })
  sku: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column('integer')
  quantity: number;

  @Column(money) unitPrice: number;
  @Column(money) discount: number;

  @Column({ type: 'varchar', length: 16 })
  taxClass: TaxClass;

  /** Basis points: 1600 = 16%. */
  @Column('integer')
  vatRateBp: number;

  @Column(money) vat: number;
  @Column(money) total: number;

  @Column({ type: 'integer', default: 0 })
  returnedQuantity: number;
}
