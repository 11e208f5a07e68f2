/** The scan report as lines for a terminal: what was read, then one line per finding. */
import type { ScanReport } from './index.js';

const size = (bytes: number) =>
  bytes >= 1e9
    ? `${(bytes / 1e9).toFixed(1)} GB`
    : bytes >= 1e6
      ? `${(bytes / 1e6).toFixed(1)} MB`
      : `${(bytes / 1e3).toFixed(1)} kB`;

const UNITS = { files: 'files', git: 'objects', images: 'layers', logs: 'containers' } as const;

export function formatReport(report: ScanReport): string[] {
  const looked =
    report.secrets.length === 0
      ? 'no stored secrets (.secrets/ is empty or absent)'
      : report.secrets.map((s) => `${s.name} ${s.fingerprint}`).join(', ');
  const lines = [
    `llmdev secrets scan: looked for ${looked}, and for key-shaped strings (sk-..., sk-ant-...)`,
  ];
  for (const stat of report.stats) {
    lines.push(
      stat.skipped
        ? `  ${stat.source.padEnd(7)} skipped: ${stat.skipped}`
        : `  ${stat.source.padEnd(7)} ${stat.items} ${UNITS[stat.source]}, ${size(stat.bytes)} in ${(stat.ms / 1000).toFixed(1)} s`,
    );
  }
  if (report.allowed > 0)
    lines.push(`  (${report.allowed} key-shaped strings allowed by .llmdev-scan-allow)`);
  for (const f of report.findings) {
    const times = f.count > 1 ? ` (${f.count} times here)` : '';
    const note = f.note ? ` [${f.note}]` : '';
    lines.push(`LEAK ${f.source.padEnd(6)} ${f.location}: ${f.rule}, ${f.fingerprint}${times}${note}`);
  }
  return lines;
}
