import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Sale } from './sale.entity';

export const PAYMENT_METHODS = ['cash', 'mpesa', 'card'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

@Entity('sale_payments')
@Index('ix_sale_payments_sale', ['saleId'])
@Check('ck_sale_payments_amount', `"amount" > 0`)
export class SalePayment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  saleId: string;

  /** The sale's store: every store-owned row carries it (DESIGN: shardable by store). */
  @Column('uuid')
  storeId: string;

  /** 1, 2, … in the order the till sent them (0: written before positions were kept). */
  @Column({ type: 'smallint', default: 0 })
  position: number;

  @ManyToOne(() => Sale, { onDelete: 'RESTRICT' })
  @JoinColumn([
    {
      name: 'store_id',
      referencedColumnName: 'storeId',
      foreignKeyConstraintName: 'fk_sale_payments_sale',
    },
    { name: 'sale_id', referencedColumnName: 'id' },
  ])
  sale?: Sale;

  @Column({ type: 'varchar', length: 8 })
  method: PaymentMethod;

  @Column({ type: 'bigint' })
  amount: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  reference: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  phone: string | null;
}
