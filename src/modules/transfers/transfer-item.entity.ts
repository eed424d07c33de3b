import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Product } from '../catalog/product.entity';
import { Transfer } from './transfer.entity';

/** One product of a transfer (each product at most once per transfer). */
@Entity('transfer_items')
@Index('ix_transfer_items_product', ['productId'])
@Check('ck_transfer_items_quantity', `"quantity" > 0`)
export class TransferItem {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_transfer_items' })
  transferId: string;

  /** The transfer's source store, whose manager decides it: the store that owns the row. */
  @Column('uuid')
  fromStoreId: string;

  @ManyToOne(() => Transfer, { onDelete: 'RESTRICT' })
  @JoinColumn([
    {
      name: 'from_store_id',
      referencedColumnName: 'fromStoreId',
      foreignKeyConstraintName: 'fk_transfer_items_transfer',
    },
    { name: 'transfer_id', referencedColumnName: 'id' },
  ])
  transfer?: Transfer;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_transfer_items' })
  productId: string;

  @ManyToOne(() => Product, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'fk_transfer_items_product' })
  product?: Product;

  /** Position in the request, so items come back in the order they were asked for. */
  @Column('smallint')
  lineNo: number;

  @Column('integer')
  quantity: number;
}
