import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharedSetup from '../../support/global-setup';

export default async function faultsGlobalSetup(): Promise<void> {
  await sharedSetup();
  process.env.FAULTS_FIGURES_FILE = join(
    mkdtempSync(join(tmpdir(), 'pos-faults-')),
    'figures.jsonl',
  );
}
