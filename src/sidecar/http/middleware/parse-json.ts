/**
 * Parses `ctx.body` as a JSON object into `ctx.json`; anything else is a 400 in the route's format,
 * and so is a body JSON.parse would read differently from a provider (a duplicate key, at any
 * level) or one nested deeper than MAX_JSON_DEPTH (no recursive walk downstream can overflow).
 */
import type { Middleware } from '../context.js';
import { sendError } from '../errors.js';
import { type JsonProblem, scanJson } from '../json-scan.js';

/** Deeper than any request the providers document (nested tool schemas reach ~20). */
export const MAX_JSON_DEPTH = 64;

export function parseJson(): Middleware {
  return (ctx, next) => {
    const bad = (message: string) =>
      sendError(ctx.res, ctx.format, { status: 400, kind: 'invalid_request', message });
    let value: unknown;
    try {
      value = JSON.parse(ctx.body.toString('utf8'));
    } catch (error) {
      const reason = ctx.body.length === 0 ? 'the request has no body' : (error as Error).message;
      bad(`Expected a JSON object as the request body: ${reason}`);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      bad('Expected a JSON object as the request body');
      return;
    }
    const problem = scanJson(ctx.body, MAX_JSON_DEPTH);
    if (problem) {
      bad(problemMessage(problem));
      return;
    }
    ctx.json = value;
    return next();
  };
}

function problemMessage(problem: JsonProblem): string {
  const where = problem.path === '' ? 'at the top level' : `in ${problem.path.slice(0, 200)}`;
  if (problem.kind === 'duplicate') {
    return (
      `Duplicate key ${JSON.stringify(problem.key)} ${where} of the request body: llmdev reads the last ` +
      'value, a provider may read the first. Send each key once.'
    );
  }
  return `The request body is nested more than ${problem.maxDepth} levels deep (${where}): flatten it.`;
}
