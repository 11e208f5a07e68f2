/**
 * `llmdev usage [--since 24h|7d|30d|DATE] [--until ...] [--by model|provider|day|tag|prompt]
 * [--json|--csv] [--db FILE] [--dir D]`: calls, tokens and cost from the usage log, as an aligned
 * table (or JSON/CSV for scripts) on stdout; where the figures came from goes to stderr.
 */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { UsageError } from '../../errors/index.js';
import { GROUP_BYS, type GroupBy } from '../../sidecar/store/queries.js';
import { emit, emitJson, say } from '../output.js';

interface UsageFlags {
  since: string;
  until?: string;
  by: GroupBy | 'member';
  team?: boolean;
  json?: boolean;
  csv?: boolean;
  db?: string;
  dir: string;
}

export function usageCommand(): Command {
  return new Command('usage')
    .description('LLM calls, tokens and cost by model, provider, day, tag or prompt version')
    .option('--since <when>', 'start: a duration back from now (24h, 7d, 30d) or a UTC date or time', '30d')
    .option('--until <when>', 'end (exclusive), in the same forms; default: now')
    .addOption(
      new Option('--by <group>', 'one row per (member: with --team)')
        .choices([...GROUP_BYS, 'member'])
        .default('model'),
    )
    .addOption(
      new Option('--team', "the whole team's usage, from the team's PostgreSQL (team mode)").conflicts('db'),
    )
    .addOption(new Option('--json', 'JSON on stdout').conflicts('csv'))
    .option('--csv', 'CSV on stdout')
    .option('--db <file>', 'read this usage.db directly (read-only) instead of asking the sidecar')
    .option('--dir <dir>', 'project folder (where llmdev.config.yaml is), when run on the host', '.')
    .action(async (flags: UsageFlags) => {
      const [{ parseTimeBound }, { loadUsageReport }, render] = await Promise.all([
        import('../../sidecar/api/time-range.js'),
        import('../report/load.js'),
        import('../report/render.js'),
      ]);
      const now = new Date();
      const bound = (option: string, value: string) => {
        const parsed = parseTimeBound(option, value, now);
        if (parsed.ok) return parsed.value;
        throw new UsageError(parsed.message, {
          hint: 'e.g. --since 7d, --since 2025-06-01, --until 2025-07-01T12:00Z',
        });
      };
      const query = {
        since: bound('--since', flags.since),
        until: flags.until === undefined ? undefined : bound('--until', flags.until),
        groupBy: flags.by,
      };
      if (flags.by === 'member' && !flags.team) {
        throw new UsageError('--by member needs --team', { hint: 'Run `llmdev usage --team --by member`.' });
      }
      const report = flags.team
        ? await (await import('../report/team-source.js')).reportFromTeam(resolve(flags.dir), query)
        : await loadUsageReport(
            { ...query, groupBy: flags.by as GroupBy },
            { dir: resolve(flags.dir), db: flags.db, say },
          );
      say(render.describeReport(report, now));
      if (flags.json) emitJson(render.reportJson(report));
      else if (flags.csv) process.stdout.write(render.renderCsv(report));
      else emit(render.renderTable(report));
    });
}
