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

  @ManyToOne(() => SaleReturn, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'return_id', foreignKeyConstraintName: 'fk_sale_return_lines_return' })
  saleReturn?: SaleReturn;

  @Column('uuid')
  saleLineId: string;

  @ManyToOne(() => SaleLine, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sale_line_id', foreignKeyConstraintName: 'fk_sale_return_lines_sale_line' })
  saleLine?: SaleLine;

  @Column('uuid')
  productId: string;

  @Column('integer')
  quantity: number;

  /** VAT-inclusive amount refunded for these units. */
  @Column(money) refund: number;
  @Column(money) vat: number;
}
