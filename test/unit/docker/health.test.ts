import type { ProjectContainer } from '../../../src/docker/containers.js';
import { publishedPorts } from '../../../src/docker/containers.js';
import { sidecarHostUrl } from '../../../src/docker/health.js';
import { projectContainer } from '../../fixtures/project-container.js';

const sidecar = (ports: ProjectContainer['ports']): ProjectContainer =>
  projectContainer({ service: 'usage-logger', health: 'healthy', ports });

describe('publishedPorts', () => {
  it('flattens the engine port map, skipping unpublished ports', () => {
    expect(
      publishedPorts({ '4100/tcp': [{ HostIp: '127.0.0.1', HostPort: '4199' }], '9229/tcp': null }),
    ).toEqual([{ containerPort: 4100, hostIp: '127.0.0.1', hostPort: 4199 }]);
  });
});

describe('sidecarHostUrl', () => {
  it('is the loopback URL of the port published for the sidecar port', () => {
    expect(
      sidecarHostUrl(sidecar([{ containerPort: 4100, hostIp: '127.0.0.1', hostPort: 4199 }]), 4100),
    ).toBe('http://127.0.0.1:4199/');
  });

  it('brackets IPv6 hosts and is undefined when nothing is published', () => {
    expect(sidecarHostUrl(sidecar([{ containerPort: 4100, hostIp: '::1', hostPort: 4100 }]), 4100)).toBe(
      'http://[::1]:4100/',
    );
    expect(sidecarHostUrl(sidecar([]), 4100)).toBeUndefined();
  });
});
