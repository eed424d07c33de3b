import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

@Entity('stores')
export class Store {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('uq_stores_code', { unique: true })
  @Column({ type: 'varchar', length: 10 })
  code: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  address: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  phone: string | null;

  @Column({ type: 'char', length: 3, default: 'KES' })
  currency: string;

  @Column({ type: 'varchar', length: 64, default: 'Africa/Nairobi' })
  timeZone: string;

  @Column({ type: 'varchar', length: 11, nullable: true })
  kraPin: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  lowStockEmails: string[];

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
