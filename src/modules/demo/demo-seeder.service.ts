import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import type { RequestMeta } from '../../common/auth/decorators';
import { inTransaction } from '../../common/database/transaction';
import { ProductsService } from '../catalog/products.service';
import { InventoryService } from '../inventory/inventory.service';
import { StoresService } from '../stores/stores.service';
import { UsersService } from '../users/users.service';
import { DEMO_PRODUCTS } from './demo-products';

export const DEMO_LOGINS = [
  { username: 'admin', password: 'demo-admin-pass', role: 'admin', store: null },
  { username: 'manager.nbo', password: 'demo-manager-pass', role: 'manager', store: 'NBO1' },
  { username: 'cashier.nbo', password: 'demo-cashier-pass', role: 'cashier', store: 'NBO1' },
  { username: 'manager.msa', password: 'demo-manager-pass', role: 'manager', store: 'MSA1' },
  { username: 'cashier.msa', password: 'demo-cashier-pass', role: 'cashier', store: 'MSA1' },
] as const;

const DEMO_STORES = [
  { code: 'NBO1', name: 'Nairobi CBD', address: 'Moi Avenue 12, Nairobi', phone: '0712345678' },
  { code: 'MSA1', name: 'Mombasa Nyali', address: 'Links Road 4, Mombasa', phone: '0722345678' },
];

const SEED_META: RequestMeta = { ip: '127.0.0.1', userAgent: 'demo-seed', requestId: 'demo-seed' };

/** Demo data for `npm start` on the embedded database: seeded once, on an empty database only. */
@Injectable()
export class DemoSeeder {
  private readonly logger = new Logger(DemoSeeder.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly stores: StoresService,
    private readonly users: UsersService,
    private readonly products: ProductsService,
    private readonly inventory: InventoryService,
  ) {}

  async seedOnce(): Promise<void> {
    const [{ seeded }] = await this.dataSource.query(
      'SELECT EXISTS (SELECT 1 FROM stores) AS seeded',
    );
    if (!seeded) await this.seed();
    // Only logins that exist: a database whose users were made otherwise (ADMIN_USERNAME, or
    // by hand) was not seeded, and its users do not sign in with the demo passwords.
    const [{ present }] = await this.dataSource.query(
      'SELECT count(*)::int AS present FROM users WHERE username = ANY($1)',
      [DEMO_LOGINS.map((login) => login.username)],
    );
    if (present === DEMO_LOGINS.length) this.printLogins();
  }

  private async seed(): Promise<void> {
    const [adminLogin, ...staff] = DEMO_LOGINS;
    const admin = await this.users.bootstrapAdmin(adminLogin.username, adminLogin.password);
    if (!admin) {
      this.logger.warn('Users exist but no stores: demo data not seeded');
      return;
    }
    const storeIds: Record<string, string> = {};
    for (const store of DEMO_STORES) {
      const created = await this.stores.create(
        admin,
        { ...store, lowStockEmails: [`${store.code.toLowerCase()}@demo.local`] },
        SEED_META,
      );
      storeIds[store.code] = created.id;
    }
    for (const login of staff) {
      await this.users.create(
        admin,
        {
          username: login.username,
          password: login.password,
          fullName: `${login.role === 'manager' ? 'Manager' : 'Cashier'} ${login.store}`,
          email: `${login.username}@demo.local`,
          role: login.role,
          storeIds: [storeIds[login.store]],
          commissionRate: login.role === 'cashier' ? 2.5 : 1,
        },
        SEED_META,
      );
    }
    await this.seedProducts(admin, Object.values(storeIds));
    this.logger.log(
      `Seeded demo data: 2 stores, 5 users, ${DEMO_PRODUCTS.length} products with stock`,
    );
  }

  private async seedProducts(admin: AuthUser, storeIds: string[]): Promise<void> {
    const productIds: string[] = [];
    for (const product of DEMO_PRODUCTS)
      productIds.push((await this.products.create(admin, product, SEED_META)).id);
    for (const [position, storeId] of storeIds.entries()) {
      await inTransaction(this.dataSource, (manager) =>
        this.inventory.move(manager, {
          storeId,
          reason: 'receiving',
          referenceType: 'demo_seed',
          userId: admin.id,
          // Varied quantities: a few start at or below their reorder level.
          lines: productIds.map((productId, index) => ({
            productId,
            delta: ((index * 7 + position * 13) % 60) + 1,
          })),
        }),
      );
    }
  }

  private printLogins(): void {
    const lines = DEMO_LOGINS.map(
      (login) =>
        `  ${login.role.padEnd(8)} ${login.username.padEnd(12)} ${login.password.padEnd(18)} ${login.store ?? 'all stores'}`,
    );
    this.logger.log(`Demo logins (change them before real use):\n${lines.join('\n')}`);
  }
}
