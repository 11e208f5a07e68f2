/**
 * A credential that cannot leak by accident: string conversion, template strings, JSON,
 * `util.inspect` and `console.log` all print a mask. The value is only available through an
 * explicit `.reveal()`, which makes every use of it easy to find. The value lives in a private
 * field, so spreading, `Object.entries` and `structuredClone` do not copy it either.
 */
import { inspect } from 'node:util';

export const SECRET_MASK = '[secret]';

export class Secret {
  readonly #value: string;
  /** Where the value came from, e.g. `LLMDEV_TOKEN_FILE (/run/secrets/llmdev_token)`; never the value. */
  readonly source: string;

  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
    Object.freeze(this);
  }

  /** The value itself: pass it to the one place that needs it, never to a log. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return SECRET_MASK;
  }

  toJSON(): string {
    return SECRET_MASK;
  }

  [Symbol.toPrimitive](): string {
    return SECRET_MASK;
  }

  [inspect.custom](): string {
    return `Secret(${SECRET_MASK} from ${this.source})`;
  }
}
