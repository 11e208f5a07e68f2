import { apiKindForPath, providerOfKind } from '../../../src/usage/endpoints.js';

describe('apiKindForPath', () => {
  it.each([
    ['/v1/chat/completions', 'openai.chat'],
    ['/v1/responses', 'openai.responses'],
    ['/v1/embeddings', 'openai.embeddings'],
    ['/v1/completions', 'openai.completions'],
    ['/v1/messages', 'anthropic.messages'],
    ['/v1/messages?beta=true', 'anthropic.messages'],
    ['/v1/chat/completions/', 'openai.chat'],
  ])('POST %s is %s', (path, kind) => {
    expect(apiKindForPath('POST', path)).toBe(kind);
    expect(apiKindForPath('post', path)).toBe(kind);
  });

  it.each([
    ['POST', '/v1/messages/count_tokens'],
    ['GET', '/v1/models'],
    ['GET', '/v1/chat/completions'],
    ['POST', '/v1/chat/completions/extra'],
    ['POST', '/chat/completions'],
    ['POST', '/v1/usage'],
    ['POST', '/'],
    ['POST', ''],
  ])('%s %s is not a billed call', (method, path) => {
    expect(apiKindForPath(method, path)).toBeNull();
  });

  it('names the provider of each kind', () => {
    expect(providerOfKind('openai.responses')).toBe('openai');
    expect(providerOfKind('anthropic.messages')).toBe('anthropic');
  });
});
