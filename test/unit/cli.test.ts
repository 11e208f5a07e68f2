import { LLMDEV_VERSION } from '../../src/meta/index.js';
import { runCli } from '../helpers/cli.js';

describe('llmdev CLI', () => {
  it('prints its version', async () => {
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ exitCode: 0, stdout: LLMDEV_VERSION });
  });

  it('rejects an unknown command with exit code 1 and no stack trace', async () => {
    const result = await runCli(['no-such-command']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});
