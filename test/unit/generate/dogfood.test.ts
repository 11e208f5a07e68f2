/**
 * This repository's own .devcontainer/ and the other generated files come from its
 * llmdev.config.yaml. Regenerating must reproduce them byte for byte; on drift, run
 * `npx tsx src/cli/main.ts generate` and commit.
 */
import { fileURLToPath } from 'node:url';
import { outOfDate } from '../../../src/generate/plan.js';
import { planProject } from '../../../src/generate/project.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

describe("llmdev's own generated files", () => {
  it('match what llmdev.config.yaml generates (names each drifted file)', async () => {
    const { plans, context } = await planProject(REPO);
    expect(context.llmdevRoot).toBe('.');
    const drifted = outOfDate(plans).map((plan) => `${plan.file.path}: ${plan.status}`);
    expect(drifted).toEqual([]);
    expect(plans.map((plan) => plan.file.path)).toEqual(
      expect.arrayContaining(['.devcontainer/devcontainer.json', '.devcontainer/compose.yaml', '.gitignore']),
    );
  });
});
