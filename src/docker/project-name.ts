/**
 * The Compose project name, decided exactly as the Dev Containers CLI decides it, so `llmdev up`,
 * `make up` and "Reopen in Container" drive the same containers. Mirrors `getProjectName` in
 * @devcontainers/cli (dist/spec-node/devContainersSpecCLI.js): COMPOSE_PROJECT_NAME from the
 * environment, then from `<workspace folder>/.env`, then the name `docker compose config` reports
 * (COMPOSE_PROJECT_NAME in `.devcontainer/.env`, which initialize.sh writes, else `name:`), and
 * `<folder>_devcontainer` when that is Compose's default for a `.devcontainer/` directory. Pure.
 */
import { basename } from 'node:path';

export interface ProjectNameInputs {
  /** The environment `llmdev` (or the Dev Containers CLI) runs in. */
  env: Record<string, string | undefined>;
  /** Text of `<project>/.env`, if any. */
  rootDotenv: string | undefined;
  /** Text of `.devcontainer/.env` (next to compose.yaml), if any. */
  composeDotenv: string | undefined;
  /** Top-level `name:` of compose.yaml, if any. */
  composeName: string | undefined;
  /** Absolute project (workspace) folder. */
  projectDir: string;
}

const SETTING = /^COMPOSE_PROJECT_NAME=(.+)$/m;

/** Compose ≥ 1.21 keeps "-" and "_"; everything else but [a-z0-9] is dropped. */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^-_a-z0-9]/g, '');
}

const fromDotenv = (text: string | undefined) => {
  const value = text === undefined ? undefined : SETTING.exec(text)?.[1]?.trim();
  // Compose's own .env parser drops surrounding quotes; the Dev Containers regex keeps them, then
  // normalising removes them: the same result either way.
  return value ? normalizeProjectName(value) : '';
};

export function resolveProjectName(inputs: ProjectNameInputs): string {
  const fromEnv = normalizeProjectName(inputs.env.COMPOSE_PROJECT_NAME ?? '');
  if (fromEnv) return fromEnv;
  const fromRoot = fromDotenv(inputs.rootDotenv);
  if (fromRoot) return fromRoot;
  // What `docker compose config` reports as `name`.
  const composeConfigName =
    fromDotenv(inputs.composeDotenv) || normalizeProjectName(inputs.composeName ?? '');
  if (composeConfigName && composeConfigName !== 'devcontainer') return composeConfigName;
  return normalizeProjectName(`${basename(inputs.projectDir)}_devcontainer`);
}
