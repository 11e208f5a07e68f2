/** `llmdev sidecar [--config F] [--port P] [--data DIR] [--secrets DIR] [--host H]`: the usage-logger container's command. */
import { Command, InvalidArgumentError } from 'commander';

interface SidecarFlags {
  config?: string;
  port?: number;
  host?: string;
  data?: string;
  secrets?: string;
}

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected a port number between 0 and 65535');
  }
  return port;
}

export function sidecarCommand(): Command {
  return new Command('sidecar')
    .description(
      'run the usage-logger: the OpenAI/Anthropic proxy that holds the keys and logs every call (the container runs this)',
    )
    .option('--config <file>', 'config file (default: ./llmdev.config.yaml)')
    .option('--port <port>', 'port to listen on (default: sidecar.port)', portNumber)
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--data <dir>', 'directory of usage.db (default: sidecar.dataDir)')
    .option('--secrets <dir>', 'directory of the secret files (default: sidecar.secretsDir)')
    .action(async (flags: SidecarFlags) => {
      const { loadSqliteDriver } = await import('../../sidecar/store/driver.js');
      await loadSqliteDriver();
      const { runSidecar } = await import('../../sidecar/run.js');
      await runSidecar(flags);
    });
}
