import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import sharedTeardown from '../../support/global-teardown';
import { formatFigures, readFigures } from './figures';

export default async function faultsGlobalTeardown(): Promise<void> {
  const file = process.env.FAULTS_FIGURES_FILE;
  if (file) {
    const figures = readFigures(file);
    if (figures.length > 0) console.log(`\n${formatFigures(figures)}\n`);
    rmSync(dirname(file), { recursive: true, force: true });
  }
  await sharedTeardown();
}
