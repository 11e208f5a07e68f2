/**
 * `llmdev init` without --yes on a terminal asks for the project name. The CLI runs under
 * `script`, which gives it a real pseudo-terminal; answers are typed when the prompt appears.
 */

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { execa } from 'execa';

// Each case runs the real CLI (or shell, or Docker) several times; a busy machine is slow.
jest.setTimeout(120_000);

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

/** Runs `llmdev init` on a terminal, typing one answer per prompt. */
async function initOnTerminal(dir: string, answers: string[]): Promise<{ exitCode: number; output: string }> {
  const command = `node --import tsx '${MAIN}' init --dir '${dir}'`;
  const child = execa('script', ['-qec', command, '/dev/null'], { reject: false, env: { NO_COLOR: '1' } });
  let output = '';
  let prompts = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const seen = output.split('Project name (').length - 1;
    while (prompts < seen) {
      child.stdin?.write(`${answers[prompts] ?? ''}\n`);
      prompts++;
    }
  });
  const result = await child;
  return { exitCode: result.exitCode ?? 1, output };
}

describe('llmdev init on a terminal', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'llmdev-init-tty-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('asks for the project name, explains an invalid one and asks again', async () => {
    const dir = join(root, 'suggested-name');
    const { exitCode, output } = await initOnTerminal(dir, ['Not Valid', 'chosen-name']);
    expect(output).toContain('Project name (suggested-name): ');
    expect(output).toContain('expected lowercase letters, digits and "-"');
    expect(exitCode).toBe(0);
    expect(await readFile(join(dir, 'llmdev.config.yaml'), 'utf8')).toContain('name: chosen-name');
  });

  it('takes the suggestion on an empty answer', async () => {
    const dir = join(root, 'suggested-name');
    const { exitCode } = await initOnTerminal(dir, ['']);
    expect(exitCode).toBe(0);
    expect(await readFile(join(dir, 'llmdev.config.yaml'), 'utf8')).toContain('name: suggested-name');
  });
});
