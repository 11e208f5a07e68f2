/**
 * `llmdev team init [--apply --admin-url URL]`: prints the SQL a team admin runs once (database,
 * least-privilege role, migrations, grants), or applies it with an admin login whose password is
 * taken from PGPASSWORD (never from a flag: flags end up in shell history).
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../errors/index.js';
import { emit, say } from '../output.js';

interface InitFlags {
  dir: string;
  apply?: boolean;
  adminUrl?: string;
}

export function teamCommand(): Command {
  const team = new Command('team').description('team mode: the usage log shared on PostgreSQL');
  team
    .command('init')
    .description('print (or --apply) the SQL that sets up the team database, role and schema')
    .option('--dir <dir>', 'project folder (where llmdev.config.yaml is)', '.')
    .option('--apply', 'run it now, as the admin of --admin-url (password from PGPASSWORD)')
    .option('--admin-url <url>', 'postgres://ADMIN@HOST:PORT/postgres, for --apply')
    .action(async (flags: InitFlags) => {
      const dir = resolve(flags.dir);
      const [{ loadConfig }, admin, connect, { secretsDir }] = await Promise.all([
        import('../../config/load.js'),
        import('../../team/admin.js'),
        import('../../team/connect.js'),
        import('../../secrets/store.js'),
      ]);
      const { config } = await loadConfig({ dir });
      if (!config.team) {
        throw new UsageError('llmdev.config.yaml has no team: section', {
          hint: 'Add `team: {url: postgres://llmdev@HOST:5432/llmdev}` (see docs/team.md), then run this again.',
        });
      }
      const names = admin.teamNames(config.team);
      if (!flags.apply) {
        emit(admin.teamInitScript(names, config.team.passwordSecret));
        return;
      }
      if (!flags.adminUrl) {
        throw new UsageError('--apply needs --admin-url', {
          hint: 'Pass --admin-url postgres://ADMIN@HOST:5432/postgres and the admin password in PGPASSWORD.',
        });
      }
      const password = await connect.readTeamPassword(config.team, secretsDir(dir));
      const adminTeam = { ...config.team, url: flags.adminUrl };
      const adminPassword = process.env.PGPASSWORD ?? '';
      const onDatabase = () => {
        const url = new URL(flags.adminUrl as string);
        url.pathname = `/${names.database}`;
        return connect.createTeamPool({ ...config.team, url: url.toString() } as never, adminPassword);
      };
      const pool = connect.createTeamPool(adminTeam as never, adminPassword);
      try {
        for (const line of await admin.applyTeamInit(config.team, password, pool, onDatabase))
          say(`llmdev: ${line}`);
      } finally {
        await pool.end();
      }
    });
  return team;
}
