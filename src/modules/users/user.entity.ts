import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Role } from '../../common/auth/auth-user';

@Entity('users')
@Check('ck_users_role', `"role" IN ('admin', 'manager', 'cashier')`)
@Check('ck_users_commission_rate', `"commission_rate" >= 0 AND "commission_rate" <= 100`)
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** citext: unique regardless of case ("Jane" and "jane" are the same user). */
  @Index('uq_users_username', { unique: true })
  @Column({ type: 'citext' })
  username: string;

  @Column({ type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 120 })
  fullName: string;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  @Column({ type: 'varchar', length: 16 })
  role: Role;

  /** Percent with two decimals, e.g. 2.5; returned as a number. */
  @Column({
    type: 'numeric',
    precision: 5,
    scale: 2,
    default: 0,
    transformer: { to: (value: number) => value, from: (value: string) => Number(value) },
  })
  commissionRate: number;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
