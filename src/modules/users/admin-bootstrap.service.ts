import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../../config/env.schema';
import { UsersService } from './users.service';

/** ADMIN_USERNAME / ADMIN_PASSWORD create the first admin of an empty database, once. */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrap.name);

  constructor(
    private readonly users: UsersService,
    private readonly config: ConfigService<Env, true>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const username = this.config.get('ADMIN_USERNAME', { infer: true });
    const password = this.config.get('ADMIN_PASSWORD', { infer: true });
    if (!username || !password) return;
    const admin = await this.users.bootstrapAdmin(username, password);
    if (admin) this.logger.log(`Created the first admin '${admin.username}' from ADMIN_USERNAME`);
  }
}
