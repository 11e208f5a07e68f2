/**
 * usage.db when the sidecar is not answering: the file lives in the project's `usage-data` named
 * volume, which the host cannot open in place (Docker Desktop keeps volumes inside its VM). So it
 * is copied out with `docker cp` (database, WAL and shared-memory files together) into a private
 * temporary directory: from the usage-logger container, running or stopped; after `llmdev down`
 * from a throwaway container that mounts the volume read-only and never starts. Nothing is
 * written to the volume.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadConfig } from '../../config/load.js';
import { loadComposeProject } from '../../docker/compose.js';
import { projectContainers } from '../../docker/containers.js';
import { assertEngine, connectEngine, engineError } from '../../docker/engine.js';
import { FileError, ToolError } from '../../errors/index.js';
import { SIDECAR_SERVICE, sidecarImageTag } from '../../generate/compose.js';
import { LLMDEV_VERSION } from '../../meta/index.js';
import { redact } from '../../redact/index.js';

const DATABASE_FILE = 'usage.db';
const VOLUME_NAME = 'usage-data';

export interface CopiedDatabase {
  /** The copy, to open read-only. */
  file: string;
  /** Where it was copied from, for the report header. */
  origin: string;
  /** Deletes the copy. */
  remove(): Promise<void>;
}

export async function copyDatabaseFromVolume(dir: string): Promise<CopiedDatabase> {
  const docker = await connectEngine();
  await assertEngine(docker);
  const { config } = await loadConfig({ dir });
  const project = await loadComposeProject(dir);
  const dataDir = config.sidecar.dataDir;
  const temp = await mkdtemp(join(tmpdir(), 'llmdev-usage-'));
  const remove = () => rm(temp, { recursive: true, force: true });
  try {
    const sidecar = (await projectContainers(docker, project.name)).find(
      (c) => c.service === SIDECAR_SERVICE,
    );
    let origin: string;
    if (sidecar) {
      await dockerCp(`${sidecar.id}:${dataDir}/.`, temp);
      origin = `container ${sidecar.name} (${sidecar.state})`;
    } else {
      const volume = await findVolume(docker, project.name);
      const image = config.sidecar.image ?? sidecarImageTag(LLMDEV_VERSION);
      let helper: string;
      try {
        const created = await docker.createContainer({
          Image: image,
          Entrypoint: ['true'],
          Cmd: [],
          HostConfig: { Binds: [`${volume}:${dataDir}:ro`], NetworkMode: 'none' },
          Labels: { 'dev.llmdev.purpose': 'llmdev usage: read usage.db' },
        });
        helper = created.id;
      } catch (cause) {
        throw new ToolError(
          `cannot read the volume ${volume}: no container from ${image} (${(cause as Error).message})`,
          {
            hint: 'Run `llmdev up` (it builds the image and starts the sidecar), then `llmdev usage` again.',
            cause,
          },
        );
      }
      try {
        await dockerCp(`${helper}:${dataDir}/.`, temp);
      } finally {
        await docker
          .getContainer(helper)
          .remove({ force: true })
          .catch(() => undefined);
      }
      origin = `volume ${volume}`;
    }
    return { file: join(temp, DATABASE_FILE), origin: `${origin}: ${dataDir}/${DATABASE_FILE}`, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

async function findVolume(
  docker: Awaited<ReturnType<typeof connectEngine>>,
  project: string,
): Promise<string> {
  let volumes: { Name: string }[];
  try {
    const listed = await docker.listVolumes({
      filters: {
        label: [`com.docker.compose.project=${project}`, `com.docker.compose.volume=${VOLUME_NAME}`],
      },
    });
    volumes = listed.Volumes ?? [];
  } catch (cause) {
    throw engineError(cause);
  }
  const volume = volumes[0]?.Name;
  if (volume === undefined) {
    throw new FileError(`no usage data for Compose project ${project}: it has no ${VOLUME_NAME} volume`, {
      hint: 'Start the sidecar with `llmdev up`; its calls are logged from then on.',
    });
  }
  return volume;
}

async function dockerCp(from: string, to: string): Promise<void> {
  const result = await execa('docker', ['cp', from, to], { reject: false, stdin: 'ignore' });
  if (result.failed) {
    throw new ToolError(`docker cp ${from} failed: ${redact(String(result.stderr ?? '')).trim()}`, {
      hint: 'Check that Docker is running (`llmdev doctor`).',
    });
  }
}
