import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per store, incremented in the sale's transaction: receipt numbers have no gaps. */
@Entity('receipt_counters')
export class ReceiptCounter {
  @PrimaryColumn('uuid')
  storeId: string;

  @Column('integer')
  lastNumber: number;
}
