/**
 * Per-request output cap (`limits.maxOutputTokens`): a request asking for more output than that
 * (max_tokens, max_completion_tokens or max_output_tokens) is refused with a 400 before anything
 * is forwarded, naming the field and the setting to change.
 */
import { CONFIG_FILE } from '../../config/load.js';
import type { Admission, Guard } from '../proxy/guards.js';
import { overCap } from './output-tokens.js';

export function outputCapGuard(maxOutputTokens: number): Guard {
  return {
    name: 'output-cap',
    admit(call): Admission {
      const over = overCap(call.json, maxOutputTokens);
      if (!over) return {};
      return {
        rejected: {
          status: 400,
          kind: 'invalid_request',
          code: 'max_tokens_too_large',
          message:
            `${over.field} is ${over.value}, above the llmdev cap of ${maxOutputTokens} output tokens per request. ` +
            `Lower ${over.field}, or raise limits.maxOutputTokens in ${CONFIG_FILE}.`,
        },
      };
    },
  };
}
