/**
 * `llmdev secrets set|list|rm|check`: the secret files under .secrets/ that Compose mounts at
 * /run/secrets. Values are read from --from-env, piped stdin or a no-echo prompt, and never shown:
 * listings carry fingerprints.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { emit, emitJson, say } from '../output.js';

interface DirFlags {
  dir: string;
}

const DIR_OPTION = ['--dir <dir>', 'project folder (where llmdev.config.yaml is)', '.'] as const;

export function secretsCommand(): Command {
  const secrets = new Command('secrets').description(
    'manage the secret files in .secrets/ (provider keys, the sidecar token)',
  );
  secrets
    .command('set')
    .description('store a secret: from --from-env, from stdin when piped, else typed at a hidden prompt')
    .argument('<name>', 'secret name, e.g. openai_api_key or anthropic_api_key')
    .option('--from-env <variable>', 'take the value from this environment variable')
    .option(...DIR_OPTION)
    .action(async (name: string, flags: DirFlags & { fromEnv?: string }) => {
      const [{ parseSecretName, normalizeSecretValue }, { writeSecret }] = await Promise.all([
        import('../../secrets/value.js'),
        import('../../secrets/store.js'),
      ]);
      const secretName = parseSecretName(name);
      const value = normalizeSecretValue(await readValue(secretName, flags.fromEnv), secretName);
      const dir = resolve(flags.dir);
      const stored = await writeSecret(dir, secretName, value);
      say(`llmdev: wrote .secrets/${secretName} (${stored.fingerprint}, mode 0${stored.mode.toString(8)})`);
      const unused = await unusedNote(dir, secretName);
      say(
        unused ??
          'Running containers pick it up at the next `llmdev up` (it restarts the services that use it).',
      );
    });
  secrets
    .command('list')
    .description('secret names with fingerprints (never values)')
    .option('--json', 'machine-readable list on stdout')
    .option(...DIR_OPTION)
    .action(async (flags: DirFlags & { json?: boolean }) => {
      const { listSecrets } = await import('../../secrets/store.js');
      const stored = await listSecrets(resolve(flags.dir));
      if (flags.json) return emitJson(stored);
      if (stored.length === 0) return say('llmdev: no secrets in .secrets/ yet');
      const width = Math.max(...stored.map((s) => s.name.length));
      for (const s of stored) {
        emit(`${s.name.padEnd(width)}  0${s.mode.toString(8)}  ${s.size === 0 ? 'empty' : s.fingerprint}`);
      }
    });
  secrets
    .command('rm')
    .description('delete a secret file (an absent provider key means the mock provider)')
    .argument('<name>', 'secret name')
    .option(...DIR_OPTION)
    .action(async (name: string, flags: DirFlags) => {
      const [{ parseSecretName }, { removeSecret }] = await Promise.all([
        import('../../secrets/value.js'),
        import('../../secrets/store.js'),
      ]);
      const secretName = parseSecretName(name);
      const removed = await removeSecret(resolve(flags.dir), secretName);
      say(
        removed ? `llmdev: removed .secrets/${secretName}` : `llmdev: .secrets/${secretName} did not exist`,
      );
    });
  secrets
    .command('check')
    .description(
      'check the secrets the config needs: present, mode 0600 in a 0700 dir, readable by the containers, not in git',
    )
    .option('--json', 'machine-readable results on stdout')
    .option(...DIR_OPTION)
    .action(async (flags: DirFlags & { json?: boolean }) => {
      const [{ loadConfig }, { assessSecrets, snapshotSecrets }, { SecretError }] = await Promise.all([
        import('../../config/load.js'),
        import('../../secrets/check.js'),
        import('../../errors/index.js'),
      ]);
      const dir = resolve(flags.dir);
      const { config } = await loadConfig({ dir });
      const findings = assessSecrets(config, await snapshotSecrets(dir, config));
      const failed = findings.filter((f) => !f.ok);
      if (flags.json) emitJson({ ok: failed.length === 0, checks: findings });
      else
        for (const f of findings)
          say(`${f.ok ? ' ok ' : 'FAIL'}  ${f.check}: ${f.detail}${f.fix ? ` (fix: ${f.fix})` : ''}`);
      if (failed.length > 0) {
        throw new SecretError(`${failed.length} secret check${failed.length === 1 ? '' : 's'} failed`, {
          hint: 'Each failed check above says how to fix it.',
        });
      }
    });
  secrets
    .command('scan')
    .description(
      'look for stored secret values and key-shaped strings in files, git history, images and container logs (no flag: all); exit 1 naming each hit, never the value',
    )
    .option('--files', 'the working tree (git-ignored files too; not .git, .secrets, node_modules)')
    .option('--git', 'every object reachable from any git ref')
    .option('--images', "every layer and config of the project's images (docker save, streamed)")
    .option('--logs', "the project's container logs and metadata")
    .option('--json', 'machine-readable report on stdout')
    .option(...DIR_OPTION)
    .action(async (flags: DirFlags & ScanFlags) => {
      const [{ scanProject, SCAN_SOURCES }, { formatReport }, { SecretError }] = await Promise.all([
        import('../../secrets/scan/index.js'),
        import('../../secrets/scan/format.js'),
        import('../../errors/index.js'),
      ]);
      const named = SCAN_SOURCES.filter((source) => flags[source]);
      const report = await scanProject({
        projectDir: resolve(flags.dir),
        sources: named.length > 0 ? named : SCAN_SOURCES,
        explicit: named.length > 0,
      });
      if (flags.json) emitJson({ ok: report.findings.length === 0, ...report });
      for (const line of formatReport(report)) say(line);
      const count = report.findings.length;
      if (count > 0) {
        throw new SecretError(
          `${count} leak${count === 1 ? '' : 's'} found (listed above, values not shown)`,
          {
            hint: 'Remove each value from where it is listed and rotate the key (assume it was copied). A fake key-shaped string (a test fixture) can be allowed by its fingerprint or path in .llmdev-scan-allow.',
          },
        );
      }
      say('llmdev: no leaks found');
    });
  return secrets;
}

type ScanFlags = Partial<Record<'files' | 'git' | 'images' | 'logs' | 'json', boolean>>;

async function readValue(name: string, fromEnv: string | undefined): Promise<string> {
  const { UsageError } = await import('../../errors/index.js');
  if (fromEnv !== undefined) {
    const value = process.env[fromEnv];
    if (value === undefined || value === '') {
      throw new UsageError(`--from-env ${fromEnv}: the variable is not set or empty`, {
        hint: `Export it first, or pipe the value: \`printenv ${fromEnv} | llmdev secrets set ${name}\`.`,
      });
    }
    return value;
  }
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  return promptHidden(
    `Value for ${name} (input hidden): `,
    () => new UsageError('cancelled: nothing was written'),
  );
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string, cancelled: () => Error): Promise<string> {
  const { stdin, stderr } = process;
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolvePrompt, reject) => {
    let value = '';
    const finish = (outcome: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      outcome();
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(() => resolvePrompt(value));
        if (char === '\u0003') return finish(() => reject(cancelled()));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}

/** A note when the config does not use this secret (a typo would otherwise go unnoticed). */
async function unusedNote(dir: string, name: string): Promise<string | undefined> {
  const [{ loadConfig }, { hostSecretNames }] = await Promise.all([
    import('../../config/load.js'),
    import('../../generate/secrets.js'),
  ]);
  const config = await loadConfig({ dir }).then(
    (loaded) => loaded.config,
    () => undefined,
  );
  if (config === undefined) return undefined;
  const used = hostSecretNames(config);
  return used.includes(name)
    ? undefined
    : `note: llmdev.config.yaml does not use a secret named ${name} (it uses ${used.join(', ')}); the containers will not see it.`;
}
