import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { SaleLine } from './sale-line.entity';
import { SaleReturn } from './sale-return.entity';

const money = { type: 'bigint' } as const;

/** Units of one sale line given back in one return, with their share of the line's total and VAT. */
@Entity('sale_return_lines')
@Index('ix_sale_return_lines_return', ['returnId'])
@Index('ix_sale_return_lines_sale_line', ['saleLineId'])
@Check('ck_sale_return_lines_values', `"quantity" > 0 AND "refund" >= 0 AND "vat" >= 0`)
export class SaleReturnLine {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  returnId: string;

  /** The return's store: every store-owned row carries it (DESIGN: shardable by store). */
  @Column('uuid')
  storeId: string;

  @ManyToOne(() => SaleReturn, { onDelete: 'RESTRICT' })
  @JoinColumn([
    {
      name: 'store_id',
      referencedColumnName: 'storeId',
      foreignKeyConstraintName: 'fk_sale_return_lines_return',
    },
    { name: 'return_id', referencedColumnName: 'id' },
  ])
  saleReturn?: SaleReturn;

  @Column('uuid')
  saleLineId: string;

  @ManyToOne(() => SaleLine, { onDelete: 'RESTRICT' })
  @JoinColumn([
    {
      name: 'store_id',
      referencedColumnName: 'storeId',
      foreignKeyConstraintName: 'fk_sale_return_lines_sale_line',
    },
    { name: 'sale_line_id', referencedColumnName: 'id' },
  ])
  saleLine?: SaleLine;

  @Column('uuid')
  productId: string;

  @Column('integer')
  quantity: number;

  /** VAT-inclusive amount refunded for these units. */
  @Column(money) refund: number;
  @Column(money) vat: number;
}
