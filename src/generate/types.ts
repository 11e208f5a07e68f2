/** What the generators produce and what they need besides the config. */

export interface GenerateContext {
  /** POSIX path from the project root to the llmdev package root: "." in the llmdev repo, "node_modules/llmdev" when installed. */
  llmdevRoot: string;
  /** llmdev version, written into headers and image tags. */
  version: string;
  /** Config file name relative to the project root, e.g. `llmdev.config.yaml`. */
  configFile: string;
}

export interface GeneratedFile {
  /** POSIX path relative to the project root. */
  path: string;
  /** Whole file (header included), or for kind `block` the managed block with its markers. */
  content: string;
  /** File mode to set, e.g. 0o755 for scripts. */
  mode?: number;
  /** `file`: llmdev owns the whole file; `block`: only the marked block, the rest is the user's. */
  kind: 'file' | 'block';
}
