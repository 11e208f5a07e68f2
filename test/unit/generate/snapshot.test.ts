/** The default output, whole, so any change to it shows up in review. */
import { generateFiles } from '../../../src/generate/index.js';
import { TEST_CONTEXT, variantConfig } from '../../fixtures/config-variants.js';

describe('generated files for the default config', () => {
  it.each(generateFiles(variantConfig('defaults'), TEST_CONTEXT).map((file) => [file.path, file]))(
    '%s',
    (_path, file) => {
      expect(file.content).toMatchSnapshot();
    },
  );
});
