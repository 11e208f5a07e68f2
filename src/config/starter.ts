/** The llmdev.config.yaml `llmdev init` writes: minimal, valid, with comments that teach. */
import { Document, isMap, isScalar } from 'yaml';
import { configSchema } from './schema.js';

const FALLBACK_NAME = 'app';

/** A valid project name from the package.json name (scope dropped) or else the folder name. */
export function suggestProjectName(folderName: string, packageName?: string): string {
  const source = packageName?.replace(/^@[^/]+\//, '') || folderName;
  const name = source
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name === '' ? FALLBACK_NAME : name;
}

/** Why `name` is not a valid project name, or undefined when it is. */
export function projectNameProblem(name: string): string | undefined {
  const result = configSchema.shape.project.safeParse({ name });
  return result.success ? undefined : result.error.issues[0]?.message;
}

export interface StarterOptions {
  name: string;
  /** Command run once in a new workspace container, e.g. `npm ci`. */
  postCreateCommand?: string | undefined;
  /** Where the generated dev container goes, when not .devcontainer. */
  devcontainerDir?: string | undefined;
  aptPackages?: string[] | undefined;
  /** Written only when false (the default is true). */
  nodeModulesVolume?: boolean | undefined;
  extensions?: string[] | undefined;
  /** workspace.python, for a Python project. */
  python?: { tools: string[] } | undefined;
}

export function starterConfig(options: StarterOptions): string {
  const { name, postCreateCommand, devcontainerDir, extensions = [], python } = options;
  const doc = new Document({
    project: { name, ...(devcontainerDir === undefined ? {} : { devcontainerDir }) },
    workspace: {
      nodeVersion: '22',
      aptPackages: options.aptPackages ?? [],
      ...(postCreateCommand === undefined ? {} : { postCreateCommand }),
      ...(options.nodeModulesVolume === false ? { nodeModulesVolume: false } : {}),
      ...(extensions.length > 0 ? { extensions } : {}),
      ...(python === undefined ? {} : { python: python.tools.length > 0 ? { tools: python.tools } : {} }),
    },
    budgets: [{ name: 'daily', scope: 'total', period: 'day', limitUsd: 5, action: 'block' }],
  });
  doc.commentBefore =
    ' llmdev settings. `llmdev generate` turns them into .devcontainer/ (rerun it after editing) and the\n' +
    ' usage-logger sidecar reads them. Every setting is described in the llmdev docs: docs/configuration.md.\n' +
    ' API keys never go here: `llmdev secrets set openai_api_key`.';
  const root = doc.contents;
  const budgets = isMap(root)
    ? root.items.find((pair) => isScalar(pair.key) && pair.key.value === 'budgets')
    : undefined;
  if (budgets && isScalar(budgets.key)) {
    budgets.key.spaceBefore = true;
    budgets.key.commentBefore =
      ' Calls that could push spend past a limit get HTTP 429 before any money is spent.';
  }
  return doc.toString({ lineWidth: 0 });
}
