import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** What one fault scenario counted, printed at the end of `npm run test:faults`. */
export interface ScenarioFigures {
  scenario: string;
  salesAttempted?: number;
  salesCommitted?: number;
  salesRejected?: number;
  alertsExpected?: number;
  alertsSent?: number;
  lost: number;
  duplicated: number;
  [detail: string]: string | number | undefined;
}

function figuresFile(): string {
  const file = process.env.FAULTS_FIGURES_FILE;
  if (!file) throw new Error('FAULTS_FIGURES_FILE is set by the faults global setup');
  return file;
}

export function recordFigures(figures: ScenarioFigures): void {
  appendFileSync(figuresFile(), `${JSON.stringify(figures)}\n`);
}

export function readFigures(file: string): ScenarioFigures[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ScenarioFigures);
}

export function formatFigures(all: ScenarioFigures[]): string {
  const lines = all.map((f) => {
    const parts = [f.scenario.padEnd(48)];
    if (f.salesAttempted !== undefined)
      parts.push(
        `sales attempted ${f.salesAttempted}, committed ${f.salesCommitted ?? 0}, rejected ${f.salesRejected ?? 0}`,
      );
    if (f.alertsExpected !== undefined)
      parts.push(`alerts expected ${f.alertsExpected}, sent ${f.alertsSent ?? 0}`);
    parts.push(`lost: ${f.lost}, duplicated: ${f.duplicated}`);
    return parts.join(' · ');
  });
  return ['Fault scenarios:', ...lines].join('\n');
}
