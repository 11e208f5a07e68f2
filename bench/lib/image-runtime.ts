/**
 * How the usage-logger image runs the sidecar, read from its Dockerfile (docker/usage-logger), so a
 * bench measures exactly what ships: the node flags of the exec-form ENTRYPOINT
 * (`["node", ...flags, script]`) and the ENV of the final stage. The Dockerfile is the one place
 * these settings live; a form this reader does not understand is an error, never a silent default.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ImageRuntime {
  nodeFlags: string[];
  env: Record<string, string>;
}

export const SIDECAR_DOCKERFILE = 'docker/usage-logger/Dockerfile';

export function sidecarImageRuntime(root: string): ImageRuntime {
  const path = join(root, SIDECAR_DOCKERFILE);
  const text = readFileSync(path, 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ') // continuation lines
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const lastFrom = instructions.findLastIndex((line) => /^FROM\s/i.test(line));
  const finalStage = instructions.slice(lastFrom + 1);
  const fail = (what: string): never => {
    throw new Error(`${path}: ${what}; bench/lib/image-runtime.ts reads the sidecar's settings from it`);
  };

  const env: Record<string, string> = {};
  for (const line of finalStage.filter((candidate) => /^ENV\s/i.test(candidate))) {
    for (const pair of line.slice(3).trim().split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq <= 0 || /["']/.test(pair)) fail(`ENV must be unquoted KEY=value pairs, got "${pair}"`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }

  const entrypoint = finalStage.findLast((line) => /^ENTRYPOINT\s/i.test(line)) ?? fail('no ENTRYPOINT');
  let argv: unknown;
  try {
    argv = JSON.parse(entrypoint.slice('ENTRYPOINT'.length));
  } catch {
    fail('the ENTRYPOINT is not in exec form (a JSON array)');
  }
  if (!Array.isArray(argv) || argv[0] !== 'node' || argv.some((arg) => typeof arg !== 'string'))
    fail('the ENTRYPOINT must be ["node", ...flags, script]');
  const args = argv as string[];
  return { nodeFlags: args.slice(1, -1), env };
}
