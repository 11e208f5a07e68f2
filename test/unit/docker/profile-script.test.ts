import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const PROFILE = fileURLToPath(new URL('../../../docker/workspace/llmdev-profile.sh', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'llmdev-profile-'));
const token = join(dir, 'llmdev_token');
const openaiKey = join(dir, 'openai_api_key');
writeFileSync(token, 'sidecar-token-value');
writeFileSync(openaiKey, 'sk-direct-openai-key');

/** What a shell that sourced the profile script exports, and whether it left helpers behind. */
async function shellAfterProfile(env: Record<string, string>, shell = 'sh') {
  const { stdout } = await execa(
    shell,
    ['-euc', `. "${PROFILE}"; echo "$OPENAI_API_KEY|$ANTHROPIC_API_KEY|$(set | grep -c '^llmdev_' || true)"`],
    { env, extendEnv: false },
  );
  const [openai, anthropic, leftovers] = stdout.split('|');
  return { openai, anthropic, leftovers: Number(leftovers) };
}

describe('workspace profile script', () => {
  it('gives both SDKs the sidecar token, and leaves no variables behind', async () => {
    for (const shell of ['sh', 'bash']) {
      expect(await shellAfterProfile({ LLMDEV_TOKEN_FILE: token }, shell)).toEqual({
        openai: 'sidecar-token-value',
        anthropic: 'sidecar-token-value',
        leftovers: 0,
      });
    }
  });

  it('uses the real key of a provider on route: direct, the token for the other', async () => {
    const env = { LLMDEV_TOKEN_FILE: token, LLMDEV_OPENAI_KEY_FILE: openaiKey };
    expect(await shellAfterProfile(env)).toMatchObject({
      openai: 'sk-direct-openai-key',
      anthropic: 'sidecar-token-value',
    });
  });

  it('exports nothing, and does not fail a strict shell, when no secret is readable', async () => {
    const env = { LLMDEV_TOKEN_FILE: join(dir, 'missing'), LLMDEV_ANTHROPIC_KEY_FILE: join(dir, 'missing') };
    await expect(
      execa('sh', ['-euc', `. "${PROFILE}"; echo "\${OPENAI_API_KEY-unset}"`], { env, extendEnv: false }),
    ).resolves.toMatchObject({ stdout: 'unset' });
  });
});
