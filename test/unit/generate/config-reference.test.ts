import { readFile } from 'node:fs/promises';
import { envSettings } from '../../../src/config/env-overrides.js';
import { extractBlock } from '../../../src/generate/block.js';
import {
  configReference,
  configReferenceBlock,
  REFERENCE_MARKERS,
} from '../../../src/generate/config-reference.js';

describe('config reference', () => {
  // Cells are padded to line columns up; compare with single spaces.
  const reference = configReference().replace(/ {2,}/g, ' ');

  it('has a row with the environment variable of every setting', () => {
    for (const [name, setting] of envSettings()) {
      expect(reference).toContain(`| \`${setting.path.join('.')}\` |`);
      expect(reference).toContain(`\`${name}\``);
    }
  });

  it('documents list and map entries, types and defaults', () => {
    expect(reference).toContain(
      '| `budgets[].limitUsd` | number | required | | Spend limit in US dollars. |',
    );
    expect(reference).toContain(
      '| `sidecar.hostPort` | integer | `4100` | `LLMDEV_SIDECAR_HOST_PORT` | Host port the sidecar (API and dashboard) is published on, bound to 127.0.0.1 only. |',
    );
    expect(reference).toContain('| `pricing.overrides.<model>.inputPerMTok` | number | required |');
    expect(reference).toContain('one of `auto`, `live`, `mock`');
    expect(reference).toContain('on\\|off'); // a | inside a cell is escaped
    expect(reference).toContain('.secrets/&lt;name&gt;'); // <name> would vanish as an HTML tag
  });

  it('lays tables out as the formatter does: every row of a table equally wide', () => {
    const tables = configReference()
      .split('\n\n')
      .filter((part) => part.startsWith('|'));
    expect(tables).toHaveLength(11);
    for (const table of tables) {
      const widths = new Set(
        table
          .trimEnd()
          .split('\n')
          .map((row) => row.length),
      );
      expect(widths.size).toBe(1);
    }
  });

  it('is what docs/configuration.md has (run `npm run docs` when this fails)', async () => {
    const page = await readFile(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(extractBlock(page, REFERENCE_MARKERS)).toBe(configReferenceBlock());
  });
});
