import { lifecycleFailure, parseOutcome } from '../../../src/docker/lifecycle-failure.js';
import { LifecycleError, ToolError } from '../../../src/errors/index.js';

// The end of a real `devcontainer up` log (CLI 0.89) whose postCreateCommand exits 3.
const LOG = [
  '[2026-12-03T10:38:52.405Z] Start: Run: docker compose --project-name demo -f /p/.devcontainer/compose.yaml up -d workspace usage-logger',
  '\u001b[1m[2026-12-03T10:39:02.212Z] Running the postCreateCommand from devcontainer.json...\u001b[0m\r',
  '\r',
  '[2026-12-03T10:39:02.443Z] about to fail\r',
  'second line\r',
  '\u001b[1;31m[2026-12-03T10:39:02.453Z] postCreateCommand from devcontainer.json failed with exit code 3. Skipping any further user-provided commands.\u001b[0m',
  'Error: Command failed: /bin/sh -c echo about to fail; echo second line; exit 3',
  '    at Q (/x/devContainersSpecCLI.js:233:157)',
].join('\n');
const STDOUT =
  '{"outcome":"error","message":"Command failed: /bin/sh -c echo about to fail; echo second line; exit 3","description":"postCreateCommand from devcontainer.json failed."}\n';

const context = {
  devcontainerJson: '.devcontainer/devcontainer.json',
  commandText: () => "echo 'about to fail'; exit 3",
};

describe('lifecycleFailure', () => {
  it('names the command, its exit code and its own last lines, and says how to rerun it', () => {
    const error = lifecycleFailure(parseOutcome(STDOUT), LOG, context);
    expect(error).toBeInstanceOf(LifecycleError);
    const failure = error as LifecycleError;
    expect(failure.command).toBe('postCreateCommand');
    expect(failure.exitCode).toBe(3);
    expect(failure.lastLines).toEqual(['about to fail', 'second line']);
    expect(failure.message).toBe(
      'postCreateCommand (.devcontainer/devcontainer.json) failed with exit code 3; its last lines:\n  about to fail\n  second line',
    );
    expect(failure.hint).toContain('The sidecar is still running');
    expect(failure.hint).toContain('workspace.postCreateCommand in llmdev.config.yaml');
    expect(failure.hint).toContain('run `llmdev up` again: it reruns postCreateCommand');
    expect(failure.hint).toContain(`llmdev shell -- sh -c 'echo '\\''about to fail'\\''; exit 3'`);
  });

  it('names the part of a command in object form', () => {
    const log = [
      'Running the postStartCommand from devcontainer.json...',
      'boom',
      'Running watch of postStartCommand from devcontainer.json...',
      'watch of postStartCommand from devcontainer.json failed with exit code 1. Skipping any further user-provided commands.',
    ].join('\n');
    const error = lifecycleFailure(undefined, log, { ...context, commandText: () => undefined });
    expect(error.message).toMatch(
      /^postStartCommand "watch" \(\.devcontainer\/devcontainer\.json\) failed with exit code 1/,
    );
    expect(error.hint).not.toContain('by hand');
  });

  it('keeps a key out of the lines it quotes', () => {
    const key = `sk-proj-${'a'.repeat(40)}`;
    const log = `Running the postCreateCommand from devcontainer.json...\ncalling with ${key}\npostCreateCommand from devcontainer.json failed with exit code 1.`;
    const error = lifecycleFailure(undefined, log, context);
    expect(error.message).not.toContain(key);
  });

  it('is a ToolError with the CLI description when no lifecycle command failed', () => {
    const error = lifecycleFailure(
      parseOutcome(
        '{"outcome":"error","message":"boom","description":"An error occurred starting Docker Compose up."}',
      ),
      'some log',
      context,
    );
    expect(error).toBeInstanceOf(ToolError);
    expect(error.message).toBe('devcontainer up failed: An error occurred starting Docker Compose up.: boom');
  });
});

describe('parseOutcome', () => {
  it('reads the JSON result on the last line, and nothing else', () => {
    expect(parseOutcome('noise\n{"outcome":"success","containerId":"abc"}\n')).toMatchObject({
      outcome: 'success',
    });
    expect(parseOutcome('not json')).toBeUndefined();
    expect(parseOutcome('{"other":1}')).toBeUndefined();
  });
});
