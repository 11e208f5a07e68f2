import { wholeFile } from '../../../src/generate/header.js';
import { planFile } from '../../../src/generate/plan.js';
import { diffPlan, replacedComposeVersion, upgradeReport } from '../../../src/generate/upgrade.js';

const at = (version: string) => ({
  llmdevRoot: 'node_modules/llmdev',
  version,
  configFile: 'llmdev.config.yaml',
});
const COMPOSE = '.devcontainer/compose.yaml';
const compose = (version: string, body: string) => wholeFile(COMPOSE, '#', body, at(version));
const block = {
  path: '.gitignore',
  content: '# >>> llmdev (generated from llmdev.config.yaml) >>>\n.secrets/\n.llmdev/\n# <<< llmdev <<<\n',
  kind: 'block' as const,
};

describe('upgradeReport', () => {
  const oldCompose = compose('1.0.0', 'name: app\nimage: llmdev-usage-logger:1.0.0\n');
  const newCompose = compose('1.1.0', 'name: app\nimage: llmdev-usage-logger:1.1.0\n');
  const userGitignore =
    'dist/\n\n# >>> llmdev (generated from llmdev.config.yaml) >>>\n.secrets/\n# <<< llmdev <<<\n*.log\n';
  const plans = [
    planFile(newCompose, { content: oldCompose.content, mode: 0o644 }),
    planFile(block, { content: userGitignore, mode: 0o644 }),
  ];

  it('diffs each changed file; the user lines around a block stay', () => {
    const report = upgradeReport(plans);
    expect(report.fromVersions).toEqual(['1.0.0']);
    expect(report.edited).toEqual([]);
    expect(report.changes.map((change) => change.patch)).toEqual([
      [
        `--- a/${COMPOSE}`,
        `+++ b/${COMPOSE}`,
        '@@ -1,3 +1,3 @@',
        `-${oldCompose.content.split('\n')[0]}`,
        `+${newCompose.content.split('\n')[0]}`,
        ' name: app',
        '-image: llmdev-usage-logger:1.0.0',
        '+image: llmdev-usage-logger:1.1.0',
        '',
      ].join('\n'),
      [
        '--- a/.gitignore',
        '+++ b/.gitignore',
        '@@ -1,6 +1,7 @@',
        ' dist/',
        ' ',
        ' # >>> llmdev (generated from llmdev.config.yaml) >>>',
        ' .secrets/',
        '+.llmdev/',
        ' # <<< llmdev <<<',
        ' *.log',
        '',
      ].join('\n'),
    ]);
    expect(replacedComposeVersion(plans, COMPOSE)).toBe('1.0.0');
  });

  it('lists whole files edited by hand; a new file diffs from /dev/null', () => {
    const edited = planFile(newCompose, { content: `${oldCompose.content}# mine\n`, mode: 0o644 });
    expect(upgradeReport([edited]).edited).toEqual([edited]);
    expect(diffPlan(planFile(newCompose, undefined))).toMatch(
      /^--- \/dev\/null\n\+\+\+ b\/\.devcontainer\/compose\.yaml\n@@ -0,0 \+1,3 @@\n/,
    );
  });

  it('has nothing to say when everything is up to date', () => {
    const report = upgradeReport([planFile(newCompose, { content: newCompose.content, mode: 0o644 })]);
    expect(report).toEqual({ fromVersions: ['1.1.0'], changes: [], edited: [] });
  });
});
