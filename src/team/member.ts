/** Who "I" am in the team's reports: team.member (LLMDEV_TEAM_MEMBER), else `git config user.email`. */
import { execFileSync } from 'node:child_process';
import type { TeamConfig } from '../config/schema.js';
import { ConfigError } from '../errors/index.js';

/** The git user's email, or undefined (no git, or not set). */
export function gitUserEmail(cwd?: string): string | undefined {
  try {
    const email = execFileSync('git', ['config', 'user.email'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return email === '' ? undefined : email;
  } catch {
    return undefined;
  }
}

export function resolveMember(team: TeamConfig, gitEmail: () => string | undefined = gitUserEmail): string {
  const member = team.member ?? gitEmail();
  if (member !== undefined) return member;
  throw new ConfigError(
    'team.member: not set, and `git config user.email` gives nothing',
    [{ source: 'llmdev.config.yaml', path: 'team.member', message: 'not set' }],
    {
      hint: 'Set team.member in llmdev.config.yaml (or LLMDEV_TEAM_MEMBER), or run `git config --global user.email you@example.com`.',
    },
  );
}
