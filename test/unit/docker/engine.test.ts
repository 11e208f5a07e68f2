import Docker from 'dockerode';
import { assertEngine, compareVersions, engineError } from '../../../src/docker/engine.js';
import { ToolError } from '../../../src/errors/index.js';

const errno = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('engineError', () => {
  it('says how to get an engine when none answers', () => {
    for (const code of ['ENOENT', 'ECONNREFUSED']) {
      const error = engineError(errno(code));
      expect(error).toBeInstanceOf(ToolError);
      expect(error.message).toMatch(/no Docker engine answers/);
      expect(error.hint).toMatch(/make engine/);
    }
  });

  it('says how to get access when the socket refuses the user', () => {
    expect(engineError(errno('EACCES')).hint).toMatch(/docker group/);
  });
});

describe('assertEngine', () => {
  it('turns a missing socket into a ToolError with the fix, not a stack trace', async () => {
    const docker = new Docker({ socketPath: '/nonexistent/llmdev-test.sock' });
    await expect(assertEngine(docker)).rejects.toMatchObject({
      name: 'ToolError',
      hint: expect.stringMatching(/make engine/),
    });
  });
});

describe('compareVersions', () => {
  it('compares dotted versions numerically, ignoring build suffixes', () => {
    expect(compareVersions('2.26.1-4', '2.17.0')).toBeGreaterThan(0);
    expect(compareVersions('1.41', '1.39')).toBeGreaterThan(0);
    expect(compareVersions('2.9.0', '2.17.0')).toBeLessThan(0);
    expect(compareVersions('20.10.24+dfsg1', '20.10.24')).toBe(0);
  });
});
