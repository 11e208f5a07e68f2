/**
 * The types of the request fields llmdev's guards read (model, output caps, choices, stream, tools,
 * the input itself). A field of another type would be read as absent (`max_tokens: "1000000"`
 * skipped the output cap) while a lenient provider may still honour it: refused (400), naming the
 * field. Absent and null fields are fine. Pure.
 */
type Json = Readonly<Record<string, unknown>>;

const isCount = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isString = (value: unknown) => typeof value === 'string';
const isArray = (value: unknown) => Array.isArray(value);
const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

const COUNT = { test: isCount, expected: 'a whole number, 0 or more' };
const STRING = { test: isString, expected: 'a string' };
const ARRAY = { test: isArray, expected: 'a list' };
const TEXT_OR_LIST = { test: (v: unknown) => isString(v) || isArray(v), expected: 'a string or a list' };

const FIELDS: Readonly<Record<string, { test: (value: unknown) => boolean; expected: string }>> = {
  model: STRING,
  max_tokens: COUNT,
  max_completion_tokens: COUNT,
  max_output_tokens: COUNT,
  n: COUNT,
  best_of: COUNT,
  stream: { test: (value) => typeof value === 'boolean', expected: 'true or false' },
  stream_options: { test: isObject, expected: 'an object' },
  tools: ARRAY,
  functions: ARRAY,
  messages: ARRAY,
  input: TEXT_OR_LIST,
  prompt: { test: (v) => isString(v) || isArray(v) || isObject(v), expected: 'a string, list or object' },
  system: TEXT_OR_LIST,
  instructions: STRING,
  previous_response_id: STRING,
};

const CHECKS = Object.entries(FIELDS);

/** The message for the first guarded field of the wrong type, or null. */
export function guardedFieldProblem(body: Json): string | null {
  for (const [field, { test, expected }] of CHECKS) {
    const value = body[field];
    if (value === undefined || value === null || test(value)) continue;
    return `${field}: expected ${expected}, got ${JSON.stringify(value)?.slice(0, 64)} (llmdev checks the fields its budgets and limits read)`;
  }
  return null;
}
