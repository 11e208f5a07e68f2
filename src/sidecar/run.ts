/**
 * `llmdev sidecar`: loads the config, starts the sidecar, logs which providers are live and which
 * mocked, re-reads secrets on SIGHUP, and on SIGTERM/SIGINT drains in-flight calls, commits the
 * queued records and closes the database before returning.
 */
import { basename, dirname, resolve } from 'node:path';
import { CONFIG_FILE, loadConfig } from '../config/load.js';
import { describeProviders } from './providers.js';
import { createSidecar } from './server.js';

export interface RunSidecarOptions {
  config?: string | undefined;
  port?: number | undefined;
  host?: string | undefined;
  data?: string | undefined;
  secrets?: string | undefined;
}

export async function runSidecar(options: RunSidecarOptions): Promise<void> {
  const file = resolve(options.config ?? CONFIG_FILE);
  const { config } = await loadConfig({ dir: dirname(file), file: basename(file) });
  const dataDir = resolve(options.data ?? config.sidecar.dataDir);
  const secretsDir = resolve(options.secrets ?? config.sidecar.secretsDir);
  const sidecar = await createSidecar({ config, dataDir, secretsDir });
  const { log } = sidecar;
  const address = await sidecar.listen(options.port ?? config.sidecar.port, options.host ?? '0.0.0.0');
  log.info('llmdev sidecar listening', {
    address: `${address.address}:${address.port}`,
    providers: describeProviders(sidecar.providers()),
    dataDir,
    secretsDir,
  });

  const onHangup = () => {
    sidecar
      .reload()
      .then(() => log.info('secrets reloaded', { providers: describeProviders(sidecar.providers()) }))
      .catch((error: unknown) =>
        log.error('secrets reload failed; still using the previous ones', { error }),
      );
  };
  process.on('SIGHUP', onHangup);
  const signal = await new Promise<NodeJS.Signals>((resolveSignal) => {
    process.once('SIGTERM', resolveSignal);
    process.once('SIGINT', resolveSignal);
  });
  process.off('SIGHUP', onHangup);
  log.info('shutting down: finishing in-flight calls', { signal });
  await sidecar.close();
  log.info('llmdev sidecar stopped');
}
