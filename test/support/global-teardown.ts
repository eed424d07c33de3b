import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { testState } from './test-state';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.TEST_PG_ADMIN_URL;
  const template = process.env.TEST_PG_TEMPLATE;
  if (adminUrl && template && !testState.embedded) {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  }
  if (testState.embedded) {
    await testState.embedded.server.stop();
    rmSync(testState.embedded.dir, { recursive: true, force: true });
  }
  await testState.redis?.stop();
}
