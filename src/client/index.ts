/**
 * `llmdev/client`: the library for code in the workspace. Settings from the environment and secret
 * files, stock OpenAI/Anthropic SDK clients wired to the usage-logger sidecar (or, in direct mode,
 * to the provider with usage reported to the sidecar), token and cost estimates with the sidecar's
 * own tables, and versioned prompt files.
 */
export type { ClientOptions as AnthropicOptions } from '@anthropic-ai/sdk';
export type { ClientOptions as OpenAIOptions } from 'openai';
export {
  ConfigError,
  FileError,
  LlmdevError,
  SecretError,
  SidecarError,
  UsageError,
} from '../errors/index.js';
export { PRICING_DATA_VERSION } from '../pricing/index.js';
export type { Provider, TokenUsage } from '../usage/record.js';
export {
  type CallOptionsInput,
  callOptions,
  createAnthropic,
  createOpenAI,
  flushUsage,
  type LlmdevClientOptions,
  type PromptRef,
} from './clients.js';
export {
  type CostEstimate,
  type CostEstimateInput,
  estimateCost,
  estimateTokens,
  providerOfModel,
  type TokenEstimateOptions,
} from './estimate.js';
export { createObservingFetch, type ObservingFetchOptions } from './observe-fetch.js';
export {
  loadPrompt,
  type Prompt,
  type PromptMessage,
  parsePrompt,
  type RequestOverrides,
  type Role,
  type Variables,
} from './prompts.js';
export {
  createUsageReporter,
  type ReporterStats,
  type UsageReport,
  type UsageReporter,
  type UsageReporterOptions,
} from './reporter.js';
export { SECRET_MASK, Secret } from './secret.js';
export {
  type ClientSettings,
  DEFAULT_MODELS,
  DEFAULT_SIDECAR_URL,
  type LoadConfigOptions,
  loadConfig,
  modelFor,
  type ProviderAccess,
  type Route,
} from './settings.js';
export { formatTags, parseTags, type Tags } from './tags.js';
