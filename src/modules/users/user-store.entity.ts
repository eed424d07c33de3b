import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Store } from '../stores/store.entity';
import { User } from './user.entity';

/** The stores a user works at (admins need none: they see every store). */
@Entity('user_stores')
@Index('ix_user_stores_store', ['storeId'])
export class UserStore {
  @PrimaryColumn('uuid')
  userId: string;

  @PrimaryColumn('uuid')
  storeId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_stores_user' })
  user?: User;

  @ManyToOne(() => Store, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'store_id', foreignKeyConstraintName: 'fk_user_stores_store' })
  store?: Store;
}
