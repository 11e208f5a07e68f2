/** `llmdev up [--no-cache] [--dir D]`: build, start the workspace and the sidecar, wait for health. */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { say } from '../output.js';

interface UpFlags {
  dir: string;
  cache: boolean;
  timeout: number;
}

export function upCommand(): Command {
  return new Command('up')
    .description(
      'build (when needed) and start the workspace and the usage-logger sidecar; wait until healthy',
    )
    .option('--dir <dir>', 'project folder (where llmdev.config.yaml is)', '.')
    .option('--no-cache', 'rebuild the images from scratch, e.g. to pick up fresh apt and npm packages')
    .addOption(
      new Option('--timeout <seconds>', 'how long to wait for the sidecar to be healthy')
        .default(120)
        .argParser((value) => positiveSeconds(value)),
    )
    .action(async (flags: UpFlags) => {
      const [{ bringUp }, { PROVIDER_NAMES }] = await Promise.all([
        import('../../docker/up.js'),
        import('../../config/schema.js'),
      ]);
      const started = performance.now();
      const { project, url, health, config } = await bringUp({
        dir: resolve(flags.dir),
        noCache: !flags.cache,
        timeoutMs: flags.timeout * 1000,
        say,
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const providers = Object.entries(health?.providers ?? {}).map(([name, mode]) => `${name} ${mode}`);
      const mocked = PROVIDER_NAMES.filter((name) => health?.providers?.[name]?.startsWith('mock (no key)'));
      const lines = [
        `llmdev: ${project.name} is up in ${seconds} s; usage-logger healthy${providers.length ? ` (${providers.join(', ')})` : ''}`,
        `  Dashboard and API: ${url ?? '(not published)'}`,
        `    sign in with the token in .secrets/${config.sidecar.tokenSecret} (the page asks once; it never goes in a URL)`,
        '',
        'Next steps:',
        '  llmdev shell                open a shell in the workspace (the SDKs find the sidecar and its token)',
        '  llmdev status               containers, health and providers; `llmdev logs -f` follows the logs',
        '  llmdev usage                calls, tokens and cost by model (--by day|tag|prompt, --json, --csv)',
        ...mocked.map(
          (name) =>
            `  llmdev secrets set ${config.providers[name].secret}   use a real ${name} key (mock until then), then \`llmdev up\``,
        ),
        '  VS Code: "Dev Containers: Reopen in Container" attaches to these same containers',
      ];
      say(lines.join('\n'));
    });
}

function positiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError('expected a number of seconds');
  }
  return seconds;
}
