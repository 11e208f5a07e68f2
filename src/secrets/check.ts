/**
 * Are the project's secrets in order before Compose mounts them? Used by `llmdev secrets check`,
 * `llmdev up` and `llmdev doctor`. `assessSecrets` is pure; `snapshotSecrets` reads the disk.
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { type Config, PROVIDER_NAMES } from '../config/schema.js';
import { layoutOf } from '../generate/layout.js';
import { SECRETS_DIR } from '../generate/secrets.js';
import { exposureProblem, type GitExposure, gitExposure } from './git.js';
import { secretOwnerUid, secretsDir } from './store.js';

export interface FileFacts {
  mode: number;
  uid: number;
  size: number;
}

export interface SecretsSnapshot {
  /** The secrets directory, or undefined when it does not exist. */
  dir: FileFacts | undefined;
  /** By secret name; undefined when the file does not exist. */
  files: Record<string, FileFacts | undefined>;
  exposure: GitExposure;
  /** The uid the containers read secrets as (LLMDEV_UID), when known. */
  containerUid: number | undefined;
}

export interface Finding {
  /** What was checked, e.g. "secret openai_api_key". */
  check: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** One line saying how to fix it, for failures. */
  fix?: string;
}

const PREPARE = 'run `llmdev up` (its initialize.sh creates it) or `sh .devcontainer/initialize.sh`';
const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
const isPrivate = (mode: number) => (mode & 0o077) === 0;

export interface AssessOptions {
  /**
   * Before `llmdev up`: files initialize.sh will create (the directory, the token, empty provider
   * keys) are fine when missing. After it ran, missing means something is wrong.
   */
  beforeInitialize?: boolean;
}

export function assessSecrets(
  config: Config,
  snapshot: SecretsSnapshot,
  { beforeInitialize = false }: AssessOptions = {},
): Finding[] {
  const findings: Finding[] = [];
  const { dir } = snapshot;
  findings.push(
    dir === undefined
      ? beforeInitialize
        ? { check: `${SECRETS_DIR}/`, ok: true, detail: 'not created yet (`llmdev up` creates it)' }
        : { check: `${SECRETS_DIR}/`, ok: false, detail: 'missing', fix: PREPARE }
      : isPrivate(dir.mode)
        ? { check: `${SECRETS_DIR}/`, ok: true, detail: `mode ${octal(dir.mode)}` }
        : {
            check: `${SECRETS_DIR}/`,
            ok: false,
            detail: `mode ${octal(dir.mode)}: other users can list it`,
            fix: `chmod 700 ${SECRETS_DIR}`,
          },
  );
  const gitProblem = exposureProblem(snapshot.exposure, SECRETS_DIR);
  findings.push({
    check: `${SECRETS_DIR}/ and git`,
    ok: gitProblem === undefined,
    detail:
      snapshot.exposure.kind === 'no-repo'
        ? 'not in a git work tree'
        : gitProblem === undefined
          ? 'ignored, nothing tracked'
          : snapshot.exposure.kind === 'tracked'
            ? 'tracked by git'
            : 'not ignored by git',
    ...(gitProblem === undefined ? {} : { fix: gitProblem }),
  });
  findings.push(
    fileFinding(config.sidecar.tokenSecret, 'sidecar token', snapshot, 'required', beforeInitialize),
  );
  for (const provider of PROVIDER_NAMES) {
    const { secret, mode } = config.providers[provider];
    const need = mode === 'live' ? 'required' : mode === 'mock' ? 'unused' : 'optional';
    findings.push(fileFinding(secret, `${provider} key`, snapshot, need, beforeInitialize));
  }
  return findings;
}

function fileFinding(
  name: string,
  role: string,
  snapshot: SecretsSnapshot,
  need: 'required' | 'optional' | 'unused',
  beforeInitialize: boolean,
): Finding {
  const check = `secret ${name} (${role})`;
  const file = snapshot.files[name];
  const path = `${SECRETS_DIR}/${name}`;
  if (file === undefined) {
    const isToken = role === 'sidecar token';
    if (beforeInitialize && (isToken || need !== 'required')) {
      return {
        check,
        ok: true,
        detail: `not created yet (\`llmdev up\` creates it${isToken ? '' : ' empty: mock provider'})`,
      };
    }
    return {
      check,
      ok: false,
      detail: 'missing',
      fix: need === 'required' && !isToken ? `llmdev secrets set ${name}` : PREPARE,
    };
  }
  if (!isPrivate(file.mode)) {
    return {
      check,
      ok: false,
      detail: `mode ${octal(file.mode)}: other users can read it`,
      fix: `chmod 600 ${path}`,
    };
  }
  const { containerUid } = snapshot;
  if (containerUid !== undefined && file.uid !== containerUid) {
    return {
      check,
      ok: false,
      detail: `owned by uid ${file.uid}, but the containers read it as uid ${containerUid}`,
      fix: `chown ${containerUid} ${path} (initialize.sh does this when run as root)`,
    };
  }
  if (file.size === 0) {
    if (need === 'required') {
      return {
        check,
        ok: false,
        detail: 'empty',
        fix: `llmdev secrets set ${name}${role === 'sidecar token' ? ' (or delete it and rerun `llmdev up` to get a new one)' : ''}`,
      };
    }
    return { check, ok: true, detail: need === 'unused' ? 'empty (mode mock)' : 'empty: mock provider' };
  }
  return { check, ok: true, detail: `mode ${octal(file.mode)}, ${file.size} bytes` };
}

/** Reads what assessSecrets needs from the project directory. */
export async function snapshotSecrets(projectDir: string, config: Config): Promise<SecretsSnapshot> {
  const facts = (path: string) =>
    lstat(path).then(
      (info): FileFacts => ({ mode: info.mode & 0o777, uid: info.uid, size: info.size }),
      () => undefined,
    );
  const dir = secretsDir(projectDir);
  const names = [config.sidecar.tokenSecret, ...PROVIDER_NAMES.map((p) => config.providers[p].secret)];
  const files: Record<string, FileFacts | undefined> = {};
  for (const name of names) files[name] = await facts(join(dir, name));
  return {
    dir: await facts(dir),
    files,
    exposure: await gitExposure(projectDir, SECRETS_DIR),
    containerUid: (await composeUid(projectDir, config)) ?? secretOwnerUid(),
  };
}

/** LLMDEV_UID from .devcontainer/.env (written by initialize.sh), if there. */
async function composeUid(projectDir: string, config: Config): Promise<number | undefined> {
  const text = await readFile(join(projectDir, layoutOf(config).composeEnv), 'utf8').catch(() => undefined);
  const uid = text === undefined ? undefined : parseDotenv(text).LLMDEV_UID;
  return uid !== undefined && /^\d+$/.test(uid) ? Number(uid) : undefined;
}
