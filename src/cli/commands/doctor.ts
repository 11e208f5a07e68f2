/** `llmdev doctor [--json] [--dir D]`: check everything `llmdev up` needs; exit 1 if anything fails. */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { emitJson, say } from '../output.js';

interface DoctorFlags {
  dir: string;
  json?: boolean;
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description(
      'check the engine, Compose, BuildKit, the host port, secrets and disk space, each with its fix',
    )
    .option('--dir <dir>', 'project folder (where llmdev.config.yaml is)', '.')
    .option('--json', 'machine-readable results on stdout')
    .action(async (flags: DoctorFlags) => {
      const [{ runDoctor }, { ToolError }] = await Promise.all([
        import('../../docker/doctor.js'),
        import('../../errors/index.js'),
      ]);
      const findings = await runDoctor(resolve(flags.dir));
      const failed = findings.filter((finding) => !finding.ok);
      if (flags.json) emitJson({ ok: failed.length === 0, checks: findings });
      else {
        const width = Math.max(...findings.map((f) => f.check.length));
        for (const f of findings) {
          say(
            `${f.ok ? ' ok ' : 'FAIL'}  ${f.check.padEnd(width)}  ${f.detail}${f.fix ? `\n      ${' '.repeat(width)}  fix: ${f.fix}` : ''}`,
          );
        }
      }
      if (failed.length > 0) {
        throw new ToolError(
          `${failed.length} of ${findings.length} checks failed: ${failed.map((f) => f.check).join(', ')}`,
          {
            hint: 'Each failed check above says how to fix it.',
          },
        );
      }
      say(`llmdev: all ${findings.length} checks passed`);
    });
}
