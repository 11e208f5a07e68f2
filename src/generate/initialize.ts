/**
 * .devcontainer/initialize.sh: the one mechanism that prepares the host before Compose runs
 * (devcontainer.json initializeCommand; `llmdev up` runs it too). POSIX sh for Linux and macOS;
 * idempotent; never prints a secret value. The script text is fixed; config values enter only as
 * single-quoted words.
 */
import type { Config } from '../config/schema.js';
import { wholeFile } from './header.js';
import { devcontainerLayout, layoutOf } from './layout.js';
import { providerSecrets, SECRETS_DIR } from './secrets.js';
import type { GenerateContext, GeneratedFile } from './types.js';

/** Paths in the default layout (project.devcontainerDir may move them). */
export const INITIALIZE_FILE = devcontainerLayout().initialize;
export const COMPOSE_ENV_FILE = devcontainerLayout().composeEnv;
/** Containers run as this uid when the host user is root (the images' `node` user). */
export const CONTAINER_UID = 1000;

/** One shell word, quoted so that nothing in it is interpreted. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The line setting `ca_source` (the extra CA bundle to copy) from network.caCerts. */
function caSourceLine(caCerts: string): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text
  if (caCerts === 'auto') return 'ca_source=${NODE_EXTRA_CA_CERTS:-}; ca_required=no';
  if (caCerts === 'none') return 'ca_source=; ca_required=no';
  return `ca_source=${shellQuote(caCerts)}; ca_required=yes`;
}

export function initializeFile(config: Config, ctx: GenerateContext): GeneratedFile {
  const layout = layoutOf(config);
  const secretsDir = SECRETS_DIR;
  const token = `${secretsDir}/${config.sidecar.tokenSecret}`;
  const providers = providerSecrets(config);
  const teamSecret = config.team ? `${secretsDir}/${config.team.passwordSecret}` : undefined;
  const secretFiles = [
    token,
    ...providers.map((p) => `${secretsDir}/${p.secret}`),
    ...(teamSecret ? [teamSecret] : []),
  ];
  const lines = [
    '#!/bin/sh',
    '# Prepares the host before Compose starts: secret files under .secrets/, the extra CA bundle and',
    '# .devcontainer/.env. Safe to run any number of times; never prints a secret value.',
    'set -eu',
    'umask 077',
    `cd "$(dirname "$0")/${layout.projectRoot}"`,
    'project_dir=$(pwd -P)',
    '',
    'say() { printf \'llmdev: %s\\n\' "$*" >&2; }',
    '',
    '# Replaces a file only when its content changes (fewer writes; no partial files).',
    'install_file() { # <tmp> <target> <mode>',
    '  if [ -f "$2" ] && cmp -s "$1" "$2"; then rm -f "$1"; else mv -f "$1" "$2"; fi',
    '  chmod "$3" "$2"',
    '}',
    '',
    `mkdir -p ${shellQuote(secretsDir)}`,
    `chmod 700 ${shellQuote(secretsDir)}`,
    '',
    '# The sidecar access token: the key the workspace uses instead of real provider keys.',
    `if [ ! -s ${shellQuote(token)} ]; then`,
    `  od -An -N32 -tx1 /dev/urandom | tr -d ' \\n' > ${shellQuote(`${token}.tmp`)}`,
    `  mv -f ${shellQuote(`${token}.tmp`)} ${shellQuote(token)}`,
    `  say ${shellQuote(`created ${token} (the sidecar access token)`)}`,
    'fi',
    '',
    '# Provider keys: from the environment (Codespaces delivers secrets that way) when the file is',
    '# missing or empty, else an empty file, which means "no key": the sidecar uses its mock provider.',
    'provider_key() { # <secret file> <environment variable>',
    '  key=$(printenv "$2" 2>/dev/null || true)',
    '  if [ -n "$key" ] && [ ! -s "$1" ]; then',
    `    printf '%s' "$key" > "$1.tmp"`,
    '    mv -f "$1.tmp" "$1"',
    '    say "wrote $1 from \\$$2"',
    '  elif [ ! -e "$1" ]; then',
    '    : > "$1"',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text
    '    say "created $1 empty (mock provider until it holds a key: llmdev secrets set ${1##*/})"',
    '  fi',
    '  key=',
    '}',
    ...providers.map((p) => `provider_key ${shellQuote(`${secretsDir}/${p.secret}`)} ${shellQuote(p.env)}`),
    ...(teamSecret
      ? [
          '# Team mode: the PostgreSQL password. Compose needs the file; empty, the sidecar logs locally',
          '# only and says what is missing until it holds the password.',
          `if [ ! -e ${shellQuote(teamSecret)} ]; then`,
          `  : > ${shellQuote(teamSecret)}`,
          `  say ${shellQuote(`created ${teamSecret} empty: put the team database password in it (llmdev secrets set ${config.team?.passwordSecret})`)}`,
          'fi',
        ]
      : []),
    `chmod 600 ${secretFiles.map(shellQuote).join(' ')}`,
    '',
    '# Extra CA bundle (TLS-inspecting proxies) for builds and containers; an empty file when none.',
    caSourceLine(config.network.caCerts),
    `ca_bundle=${shellQuote(layout.caBundle)}`,
    'if [ -n "$ca_source" ] && [ -f "$ca_source" ]; then',
    '  cp "$ca_source" "$ca_bundle.tmp"',
    'elif [ "$ca_required" = yes ]; then',
    `  say "network.caCerts: no such file: $ca_source (set network.caCerts in ${ctx.configFile} to auto, none or a PEM file)"`,
    '  exit 1',
    'else',
    '  : > "$ca_bundle.tmp"',
    'fi',
    'install_file "$ca_bundle.tmp" "$ca_bundle" 644',
    '',
    '# Containers run as the host user so bind-mounted secret files (0600) stay readable; root maps',
    `# to ${CONTAINER_UID}, the images' non-root user, who then owns the secret files.`,
    'uid=$(id -u)',
    'gid=$(id -g)',
    'if [ "$uid" = 0 ]; then',
    `  uid=${CONTAINER_UID}`,
    `  gid=${CONTAINER_UID}`,
    `  chown "$uid:$gid" ${secretFiles.map(shellQuote).join(' ')}`,
    'fi',
    '',
    '# Compose reads .devcontainer/.env: a project name unique to this clone (its absolute path) keeps',
    "# two checkouts from sharing containers and volumes; the Dev Containers CLI uses Compose's name.",
    `env_file=${shellQuote(layout.composeEnv)}`,
    "clone_id=$(printf '%s' \"$project_dir\" | cksum | cut -d ' ' -f 1)",
    "# The CA bundle's checksum: the workspace image rebuilds its trust store when the CA changes.",
    'ca_sum=$(cksum < "$ca_bundle" | cut -d \' \' -f 1)',
    "printf 'COMPOSE_PROJECT_NAME=%s\\nLLMDEV_UID=%s\\nLLMDEV_GID=%s\\nLLMDEV_CA_SUM=%s\\n' \\",
    `  ${shellQuote(`${config.project.name}-`)}"$clone_id" "$uid" "$gid" "$ca_sum" > "$env_file.tmp"`,
    ...(config.team && config.team.member === undefined
      ? [
          '# Team mode: who you are in the team reports, from git on the host (the sidecar has no git).',
          'member=$(git config user.email 2>/dev/null || true)',
          'if [ -z "$member" ]; then',
          `  say "team mode: set team.member in ${ctx.configFile} or run: git config --global user.email you@example.com"`,
          '  exit 1',
          'fi',
          `printf 'LLMDEV_TEAM_MEMBER=%s\\n' "$member" >> "$env_file.tmp"`,
        ]
      : []),
    'install_file "$env_file.tmp" "$env_file" 644',
    '',
  ];
  return wholeFile(layout.initialize, '#', lines.join('\n'), ctx, 0o755);
}
