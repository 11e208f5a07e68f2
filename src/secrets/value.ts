/** Secret names and values: validation and normalisation, pure. */
import { secretNameSchema } from '../config/schema.js';
import { SecretError, UsageError } from '../errors/index.js';

/** The name, validated with the config schema's rule (it becomes a file name). */
export function parseSecretName(name: string): string {
  const result = secretNameSchema.safeParse(name);
  if (result.success) return result.data;
  throw new UsageError(`secret name ${JSON.stringify(name)}: ${result.error.issues[0]?.message}`, {
    hint: 'Secret names look like openai_api_key or anthropic_api_key.',
  });
}

/**
 * The value to store: what was typed or piped, minus the trailing newline that `echo`, heredocs and
 * editors add (a key never ends in one). An empty value is refused: an empty provider key file is
 * how llmdev spells "no key", and that is `llmdev secrets rm`.
 */
export function normalizeSecretValue(raw: string, name: string): string {
  const value = raw.replace(/(\r?\n)+$/, '');
  if (value.length === 0) {
    throw new SecretError(`no value given for secret ${name}`, {
      hint: `Pipe or type the value (e.g. \`printenv OPENAI_API_KEY | llmdev secrets set ${name}\`); to drop a key, run \`llmdev secrets rm ${name}\`.`,
    });
  }
  return value;
}
