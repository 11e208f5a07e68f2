/**
 * The one schema for llmdev.config.yaml: types, defaults, validation messages and the docs'
 * config reference all come from here. Each message is phrased to follow "path: " and precede
 * ", got <value>", e.g. `budgets[0].limitUsd: expected a positive number, got "five"`.
 */
import { z } from 'zod';

/** A map of settings: unknown keys are errors (typos must not be silently ignored). */
const section = <Shape extends z.core.$ZodLooseShape>(shape: Shape) =>
  z.strictObject(shape, { error: 'expected a map of settings' });

const PORT = 'expected a port number between 1 and 65535';

const portNumber = () => z.number({ error: PORT }).int().min(1).max(65535);

const port = (description: string, defaultPort: number) =>
  portNumber().default(defaultPort).meta({ description });

const positiveNumber = (description: string) =>
  z
    .number({ error: 'expected a positive number' })
    .positive({ error: 'expected a positive number' })
    .meta({ description });

const positiveInt = (description: string, fallback: number) =>
  z
    .number({ error: 'expected a positive whole number' })
    .int({ error: 'expected a positive whole number' })
    .positive({ error: 'expected a positive whole number' })
    .default(fallback)
    .meta({ description });

const nonNegativeNumber = (description: string) =>
  z
    .number({ error: 'expected a number, 0 or more' })
    .min(0, { error: 'expected a number, 0 or more' })
    .meta({ description });

const bool = (description: string, fallback: boolean) =>
  z.boolean({ error: 'expected true or false' }).default(fallback).meta({ description });

const text = (description: string) => z.string({ error: 'expected a string' }).meta({ description });

const absolutePath = (description: string, fallback: string) =>
  z
    .string({ error: 'expected an absolute path' })
    .regex(/^\//, { error: 'expected an absolute path' })
    .default(fallback)
    .meta({ description });

/** A record's own message for a value that is not a map; key problems keep theirs (see load.ts). */
const mapError = (message: string) => (issue: { code?: string }) =>
  issue.code === 'invalid_type' ? message : undefined;

/** A map of model id to a number of tokens (per-model overrides of a limit). */
const tokensByModel = (meta: { description: string }) =>
  z
    .record(
      z.string(),
      z
        .number({ error: 'expected a positive whole number' })
        .int({ error: 'expected a positive whole number' })
        .positive({ error: 'expected a positive whole number' }),
      { error: mapError('expected a map of model id to a number of tokens') },
    )
    .default({})
    .meta(meta);

const httpUrl = (description: string, fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .default(fallback)
    .meta({ description });

/** The Compose secret carrying the extra CA bundle (network.caCerts) into builds and containers. */
export const CA_CERTS_SECRET = 'ca_certs';

/** Docker secret names: also file names under .secrets/ and /run/secrets/. */
export const secretNameSchema = z
  .string({ error: 'expected a secret name' })
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, {
    error: 'expected a secret name of lowercase letters, digits, "_", "." or "-" (it becomes a file name)',
  })
  .refine((name) => name !== CA_CERTS_SECRET, {
    error: `"${CA_CERTS_SECRET}" is reserved for the extra CA bundle; choose another name`,
  });

const envName = z
  .string({ error: 'expected an environment variable name' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name' });

/** Names that look like credentials must go through secrets, never plain environment. */
const SECRET_LOOKING = /(^|_)(API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)S?$/i;

const projectSchema = z
  .strictObject(
    {
      name: z
        .string({ error: 'expected a project name' })
        .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
          error: 'expected lowercase letters, digits and "-" (it names containers and volumes)',
        })
        .meta({ description: 'Project name: names the dev container, its Compose project and volumes.' }),
      devcontainerDir: z
        .string({ error: 'expected .devcontainer or .devcontainer/<folder>' })
        .regex(/^\.devcontainer(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/, {
          error: 'expected .devcontainer or .devcontainer/<folder>',
        })
        .optional()
        .meta({
          description:
            'Folder of the generated dev container files (unset: .devcontainer); `.devcontainer/<folder>` keeps them beside your own.',
        }),
    },
    { error: 'expected a map with the project name, e.g. `project: {name: my-app}`' },
  )
  .meta({ description: 'The project this workspace is for.' });

/** A PyPI requirement: a name, optional extras and an optional version constraint, e.g. `uv==0.5.4`. */
const pypiRequirement = z
  .string({ error: 'expected a PyPI package, e.g. uv or uv==0.5.4' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?((==|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!-]+)?$/, {
    error: 'expected a PyPI package, e.g. uv or uv==0.5.4',
  });

const pythonSchema = section({
  venvVolume: bool(
    "Keep the project's .venv in a named volume, so a .venv made on the host never clobbers it. Setting workspace.python at all (even to {}) makes a Python workspace: python3 in the image, .venv first on PATH and VS Code's interpreter.",
    true,
  ),
  tools: z.array(pypiRequirement, { error: 'expected a list of PyPI packages' }).default([]).meta({
    description:
      'Command-line tools installed from PyPI into the workspace image, on PATH after the .venv (e.g. uv, which `llmdev init` adds when it finds uv.lock).',
  }),
}).meta({
  description:
    "A Python workspace (unset: none): python3 and venv in the image, the project's .venv first on PATH and VS Code's interpreter, pip and uv trusting network.caCerts.",
});

/** The dev container lifecycle commands that run in the workspace container, in the order they run. */
export const CONTAINER_HOOKS = [
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
] as const;
export type ContainerHook = (typeof CONTAINER_HOOKS)[number];

const workspaceSchema = section({
  nodeVersion: z
    .string({ error: 'expected a Node.js major version as a string, e.g. "22"' })
    .regex(/^\d{2}$/, { error: 'expected a Node.js major version as a string, e.g. "22"' })
    .default('22')
    .meta({ description: 'Node.js major version of the workspace image.' }),
  baseImage: text('Base image of the workspace; defaults to node:<nodeVersion>-bookworm-slim.').optional(),
  aptPackages: z
    .array(
      z
        .string({ error: 'expected a Debian package name' })
        .regex(/^[a-z0-9][a-z0-9+.-]+$/, { error: 'expected a Debian package name' }),
      { error: 'expected a list of Debian package names' },
    )
    .default([])
    .meta({ description: 'Extra Debian packages installed in the workspace image.' }),
  onCreateCommand: text(
    'Command run once when the workspace container is created, before updateContentCommand (devcontainer.json).',
  ).optional(),
  updateContentCommand: text(
    'Command run once per container after onCreateCommand, when the source tree is in place (devcontainer.json).',
  ).optional(),
  postCreateCommand: text(
    'Command run once per workspace container, after it is created (e.g. `npm ci`); not again on a restart.',
  ).optional(),
  postStartCommand: text('Command run every time the workspace container starts.').optional(),
  postAttachCommand: text(
    'Command run each time a tool attaches: `llmdev up`, `devcontainer up`, VS Code.',
  ).optional(),
  forwardPorts: z
    .array(portNumber(), { error: 'expected a list of port numbers' })
    .default([])
    .meta({ description: 'Workspace ports forwarded to the host (the dashboard port is always added).' }),
  env: z
    .record(envName, z.string({ error: 'expected a string value (quote numbers)' }), {
      error: mapError('expected a map of NAME: value'),
    })
    .superRefine((env, ctx) => {
      for (const name of Object.keys(env)) {
        if (!SECRET_LOOKING.test(name)) continue;
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message:
            'looks like a credential: plain environment ends up in container metadata; keep credentials in .secrets/ (`llmdev secrets set`)',
        });
      }
    })
    .default({})
    .meta({ description: 'Extra non-secret environment variables for the workspace.' }),
  extensions: z
    .array(
      z
        .string({ error: 'expected a VS Code extension id like publisher.name' })
        .regex(/^[\w-]+\.[\w.-]+$/, { error: 'expected a VS Code extension id like publisher.name' }),
      { error: 'expected a list of VS Code extension ids' },
    )
    .default([])
    .meta({ description: 'Extra VS Code extensions installed in the dev container.' }),
  nodeModulesVolume: bool(
    'Keep node_modules in a named volume so host and container installs (native addons differ) never clobber each other.',
    true,
  ),
  dockerfile: text(
    "Path (relative to the project) of your own workspace Dockerfile, used instead of llmdev's.",
  ).optional(),
  python: pythonSchema.optional(),
}).meta({ description: 'The dev container you work in.' });

const providerSchema = (defaults: { secret: string; baseUrl: string; env: string }, label: string) =>
  section({
    secret: secretNameSchema.default(defaults.secret).meta({
      description: `Secret holding the ${label} API key: .secrets/<name> on the host, /run/secrets/<name> in the sidecar.`,
    }),
    env: envName.default(defaults.env).meta({
      description:
        'Environment variable that may supply the key when the secret file is absent (Codespaces secrets).',
    }),
    baseUrl: httpUrl(`Upstream ${label} API base URL.`, defaults.baseUrl),
    mode: z
      .enum(['auto', 'live', 'mock'], { error: 'expected one of auto, live, mock' })
      .default('auto')
      .meta({
        description:
          'auto: live when the secret file holds a key, else the built-in mock; live: require the key; mock: never call upstream.',
      }),
    route: z.enum(['proxy', 'direct'], { error: 'expected proxy or direct' }).default('proxy').meta({
      description:
        'proxy: calls go through the sidecar, which holds the key; direct: your code holds the key and reports usage to the sidecar.',
    }),
  }).prefault({});

const providersSchema = section({
  openai: providerSchema(
    { secret: 'openai_api_key', baseUrl: 'https://api.openai.com/v1', env: 'OPENAI_API_KEY' },
    'OpenAI',
  ),
  anthropic: providerSchema(
    { secret: 'anthropic_api_key', baseUrl: 'https://api.anthropic.com', env: 'ANTHROPIC_API_KEY' },
    'Anthropic',
  ),
}).meta({ description: 'LLM providers the sidecar proxies.' });

const sidecarSchema = section({
  port: port('Port the sidecar listens on inside the Compose network.', 4100),
  hostPort: port('Host port the sidecar (API and dashboard) is published on, bound to 127.0.0.1 only.', 4100),
  dataDir: absolutePath(
    'Directory of the usage database inside the sidecar container (a named volume).',
    '/data',
  ),
  secretsDir: absolutePath('Directory the sidecar reads secret files from.', '/run/secrets'),
  tokenSecret: secretNameSchema
    .default('llmdev_token')
    .meta({ description: 'Secret holding the sidecar access token (the virtual key the workspace uses).' }),
  image: text(
    'Prebuilt usage-logger image to use instead of building it from the installed llmdev.',
  ).optional(),
  storeBodies: bool('Store request bodies (for `llmdev replay`), capped at maxStoredBodyBytes.', true),
  maxStoredBodyBytes: positiveInt('Largest request body stored per record, in bytes.', 262_144),
  maxRequestBytes: positiveInt('Largest request body accepted, in bytes (413 above).', 20_971_520),
  retentionDays: positiveInt('Usage records older than this many days are deleted.', 90),
  jsonlMirror: bool('Also append each record to logs/llm_requests_YYYY-MM-DD.jsonl in the data dir.', false),
  upstreamTimeoutSeconds: positiveInt('Upstream request timeout in seconds.', 600),
  maxConnections: positiveInt(
    'Most client connections the sidecar holds open at once; more are dropped (and logged).',
    512,
  ),
  allowedHosts: z
    .array(
      z
        .string({ error: 'expected a host name' })
        .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/, { error: 'expected a host name (no port, no scheme)' }),
      { error: 'expected a list of host names' },
    )
    .default([])
    .meta({
      description:
        'Extra Host names the sidecar answers to, besides localhost, usage-logger and IP addresses (421 otherwise: DNS-rebinding guard).',
    }),
  logLevel: z
    .enum(['debug', 'info', 'warn', 'error'], { error: 'expected one of debug, info, warn, error' })
    .default('info')
    .meta({ description: 'Sidecar log level.' }),
}).meta({ description: 'The usage-logger sidecar.' });

/** What a budget limits and does, shared by local budgets and team budgets (team.budgets). */
const budgetLimitFields = {
  period: z
    .enum(['day', 'month', 'total'], { error: 'expected one of day, month, total' })
    .default('month')
    .meta({ description: 'Spend window, in UTC: day, month, or all time.' }),
  limitUsd: positiveNumber('Spend limit in US dollars.'),
  action: z.enum(['block', 'warn'], { error: 'expected block or warn' }).default('block').meta({
    description: 'block: refuse calls that could exceed the limit (HTTP 429); warn: log and add a header.',
  }),
  warnAt: z
    .number({ error: 'expected a fraction between 0 and 1, e.g. 0.8' })
    .gt(0, { error: 'expected a fraction between 0 and 1, e.g. 0.8' })
    .lt(1, { error: 'expected a fraction between 0 and 1, e.g. 0.8' })
    .default(0.8)
    .meta({ description: 'Fraction of the limit at which a warning is logged and sent as a header.' }),
};

const TAG_MATCH = /^[^=,\s]+=[^=,]+$/;

const budgetSchema = section({
  name: text('Budget name shown in errors and reports; defaults to scope:match:period.').optional(),
  scope: z
    .enum(['total', 'provider', 'model', 'tag'], { error: 'expected one of total, provider, model, tag' })
    .meta({
      description: 'What the budget counts: all calls, one provider, one model, or calls tagged key=value.',
    }),
  match: text(
    'Provider name, model id, or tag key=value this budget applies to (not for scope total).',
  ).optional(),
  ...budgetLimitFields,
}).superRefine((budget, ctx) => {
  if (budget.scope !== 'total' && budget.match === undefined) {
    ctx.addIssue({ code: 'custom', path: ['match'], message: `is required when scope is ${budget.scope}` });
  }
  if (budget.scope === 'tag' && budget.match !== undefined && !TAG_MATCH.test(budget.match)) {
    ctx.addIssue({ code: 'custom', path: ['match'], message: 'expected key=value for scope tag' });
  }
});

const teamBudgetSchema = section({
  name: text('Team budget name shown in errors and reports; defaults to scope:match:period.').optional(),
  scope: z
    .enum(['team', 'member', 'model', 'tag'], { error: 'expected one of team, member, model, tag' })
    .meta({
      description:
        "What the budget counts across the team's sidecars: all calls, each member's (or one member's), one model's, or calls tagged key=value.",
    }),
  match: text(
    'Member identity, model id, or tag key=value (required for model and tag; for member, omit it to give every member this limit).',
  ).optional(),
  ...budgetLimitFields,
}).superRefine((budget, ctx) => {
  if ((budget.scope === 'model' || budget.scope === 'tag') && budget.match === undefined) {
    ctx.addIssue({ code: 'custom', path: ['match'], message: `is required when scope is ${budget.scope}` });
  }
  if (budget.scope === 'team' && budget.match !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['match'], message: 'is not used when scope is team; remove it' });
  }
  if (budget.scope === 'tag' && budget.match !== undefined && !TAG_MATCH.test(budget.match)) {
    ctx.addIssue({ code: 'custom', path: ['match'], message: 'expected key=value for scope tag' });
  }
});

/** A team budget's `name`, else `scope:match:period` (`member:each:day`: every member's own limit). */
export function teamBudgetName(
  budget: Pick<z.output<typeof teamBudgetSchema>, 'name' | 'scope' | 'match' | 'period'>,
): string {
  if (budget.name !== undefined) return budget.name;
  const match = budget.scope === 'team' ? [] : [budget.match ?? 'each'];
  return [budget.scope, ...match, budget.period].join(':');
}

/** The team-budget keys of `team:` (the connection and identity keys sit beside them). */
const teamBudgetSettings = {
  budgets: z
    .array(teamBudgetSchema, { error: 'expected a list of team budgets' })
    .superRefine((budgets, ctx) => {
      // The name keys the budget's rows in Postgres: two budgets with one name would share them.
      const seen = new Set<string>();
      for (const [index, budget] of budgets.entries()) {
        const name = teamBudgetName(budget);
        if (seen.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `"${name}" is already the name of another team budget; give each its own name`,
          });
        }
        seen.add(name);
      }
    })
    .default([])
    .meta({
      description:
        "Spend limits shared by every member's sidecar, enforced in the team's Postgres before a call is forwarded.",
    }),
  whenUnreachable: z
    .enum(['fail-closed', 'local-cap'], { error: 'expected fail-closed or local-cap' })
    .default('fail-closed')
    .meta({
      description:
        'When Postgres cannot be reached and a call counts for a blocking team budget: fail-closed refuses it (HTTP 503); local-cap admits it against localCapUsd.',
    }),
  localCapUsd: positiveNumber(
    "With whenUnreachable: local-cap, the most this member's sidecar admits per day (UTC) while Postgres is unreachable, in US dollars.",
  ).default(1),
};

const limitsSchema = section({
  requestsPerMinute: positiveInt(
    'Most proxied requests per minute per access token (429 with retry-after above).',
    600,
  ),
  maxOutputTokens: positiveInt(
    'Largest max_tokens / max_output_tokens a request may ask for (400 above).',
    65_536,
  ),
  defaultMaxOutputTokens: positiveInt(
    'Output tokens reserved against budgets when a request sets no max_tokens.',
    4096,
  ),
  modelMaxOutputTokens: tokensByModel({
    description: 'Per-model override of defaultMaxOutputTokens, by model id.',
  }),
  loopMaxRepeats: positiveInt(
    'Identical request bodies allowed within loopWindowSeconds before blocking.',
    20,
  ),
  loopWindowSeconds: positiveInt('Window for loop detection, in seconds.', 60),
  modelMaxInputTokens: tokensByModel({
    description:
      'Per-model input ceiling (e.g. its context window) reserved against blocking budgets for calls whose billed input is not in the body (previous_response_id, conversation, stored prompts, file and document sources, hosted tools).',
  }),
  defaultMaxInputTokens: z
    .number({ error: 'expected a positive whole number' })
    .int({ error: 'expected a positive whole number' })
    .positive({ error: 'expected a positive whole number' })
    .optional()
    .meta({
      description:
        'The input ceiling for models not in modelMaxInputTokens; unset: such calls are refused (400) under a blocking budget.',
    }),
}).meta({ description: 'Runaway protection.' });

const priceOverrideSchema = section({
  inputPerMTok: nonNegativeNumber('USD per million input tokens.'),
  outputPerMTok: nonNegativeNumber('USD per million output tokens.'),
  cachedInputPerMTok: nonNegativeNumber(
    'USD per million cached input tokens (defaults to inputPerMTok).',
  ).optional(),
  cacheWritePerMTok: nonNegativeNumber(
    'USD per million cache-write tokens (defaults to inputPerMTok).',
  ).optional(),
  cacheWrite1hPerMTok: nonNegativeNumber(
    "USD per million 1-hour cache-write tokens (Anthropic; defaults to 2 × inputPerMTok, Anthropic's rule).",
  ).optional(),
});

const pricingSchema = section({
  overrides: z
    .record(z.string().min(1), priceOverrideSchema, {
      error: mapError('expected a map of model id to prices'),
    })
    .default({})
    .meta({ description: 'Prices by model id (USD per million tokens) that win over the bundled data.' }),
}).meta({ description: 'Pricing: bundled @pydantic/genai-prices data plus your overrides.' });

const cacheSchema = section({
  enabled: bool(
    'Replay identical requests from the response cache (per request: x-llmdev-cache: on|off).',
    false,
  ),
  ttlSeconds: positiveInt('How long a cached response is replayed, in seconds.', 86_400),
  maxMegabytes: positiveInt(
    'Most response bytes the cache keeps in usage.db, in MB; the oldest entries are evicted first.',
    256,
  ),
}).meta({ description: 'Exact-match response cache.' });

const telemetrySchema = section({
  otlpEndpoint: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .optional()
    .meta({
      description: 'OTLP/HTTP traces endpoint (e.g. http://collector:4318/v1/traces); one span per call.',
    }),
  metrics: bool('Serve Prometheus metrics at /metrics.', true),
}).meta({ description: 'Export to your own observability stack.' });

const networkSchema = section({
  caCerts: z.string({ error: 'expected auto, none, or a path to a PEM bundle' }).min(1).default('auto').meta({
    description:
      'Extra CA bundle trusted in builds and containers (TLS-inspecting proxies): auto (from NODE_EXTRA_CA_CERTS), none, or a host path.',
  }),
}).meta({ description: 'Network settings.' });

/** A postgres:// URL; the password is a secret file (team.passwordSecret), never part of the URL. */
const postgresUrl = z
  .string({ error: 'expected a postgres:// URL' })
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'expected a postgres:// URL, e.g. postgres://llmdev@db.example.com:5432/llmdev',
      });
      return;
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      ctx.addIssue({ code: 'custom', message: 'expected a postgres:// or postgresql:// URL' });
    } else if (url.password !== '') {
      ctx.addIssue({
        code: 'custom',
        message:
          'contains a password: remove it from the URL and put it in .secrets/<team.passwordSecret> (`llmdev secrets set postgres_password`)',
      });
    } else if (url.username === '') {
      ctx.addIssue({ code: 'custom', message: 'names no user: write it as postgres://USER@HOST/DATABASE' });
    }
  })
  .meta({
    description:
      "The team's PostgreSQL: postgres://USER@HOST:PORT/DATABASE, without a password (add ?sslmode=require for a managed server).",
  });

/**
 * Team mode (src/team): the usage log shared on PostgreSQL. Budgets for the whole team
 * (team.budgets, team.whenUnreachable) are defined beside these keys.
 */
const teamSchema = section({
  url: postgresUrl,
  passwordSecret: secretNameSchema.default('postgres_password').meta({
    description:
      'Secret holding the PostgreSQL password: .secrets/<name> on the host, /run/secrets/<name> in the sidecar.',
  }),
  member: z
    .string({ error: 'expected your identity, e.g. an email address' })
    .min(1, { error: 'expected your identity, e.g. an email address' })
    .max(256, { error: 'expected at most 256 characters' })
    .optional()
    .meta({
      description:
        "Who you are in the team's reports; unset: `git config user.email` on the host (passed to the sidecar as LLMDEV_TEAM_MEMBER).",
    }),
  shareBodies: bool(
    'Also copy stored request bodies to the team database, where other members can read them; off: bodies never leave your machine.',
    false,
  ),
  ...teamBudgetSettings,
}).meta({
  description: "Team mode: every record is also written to the team's PostgreSQL (unset: local only).",
});

export const configSchema = section({
  project: projectSchema,
  workspace: workspaceSchema.prefault({}),
  providers: providersSchema.prefault({}),
  sidecar: sidecarSchema.prefault({}),
  budgets: z.array(budgetSchema, { error: 'expected a list of budgets' }).default([]).meta({
    description: 'Spend limits enforced by the sidecar before a call is forwarded.',
  }),
  limits: limitsSchema.prefault({}),
  pricing: pricingSchema.prefault({}),
  cache: cacheSchema.prefault({}),
  telemetry: telemetrySchema.prefault({}),
  network: networkSchema.prefault({}),
  team: teamSchema.optional(),
})
  .superRefine((config, ctx) => {
    // Each secret is its own file; two settings naming one file would hand a key to the wrong holder.
    const owners = new Map<string, string>([[config.sidecar.tokenSecret, 'sidecar.tokenSecret']]);
    for (const provider of PROVIDER_NAMES) {
      const name = config.providers[provider].secret;
      const owner = owners.get(name);
      if (owner) {
        ctx.addIssue({
          code: 'custom',
          path: ['providers', provider, 'secret'],
          message: `"${name}" is already the secret of ${owner}; give each secret its own name`,
        });
      }
      owners.set(name, `providers.${provider}.secret`);
    }
    const teamSecret = config.team?.passwordSecret;
    const teamSecretOwner = teamSecret === undefined ? undefined : owners.get(teamSecret);
    if (teamSecretOwner) {
      ctx.addIssue({
        code: 'custom',
        path: ['team', 'passwordSecret'],
        message: `"${teamSecret}" is already the secret of ${teamSecretOwner}; give each secret its own name`,
      });
    }
  })
  .meta({ description: 'llmdev.config.yaml' });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ProviderName = keyof Config['providers'];
export type ProviderConfig = Config['providers'][ProviderName];
export type Budget = Config['budgets'][number];
export type TeamConfig = NonNullable<Config['team']>;
export type TeamBudget = TeamConfig['budgets'][number];
export type PriceOverride = z.output<typeof priceOverrideSchema>;

export const PROVIDER_NAMES = ['openai', 'anthropic'] as const satisfies readonly ProviderName[];
