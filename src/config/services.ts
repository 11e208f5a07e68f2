/** The Compose service name of the sidecar: generated into compose.yaml, and a Host the sidecar answers to. */
export const SIDECAR_SERVICE = 'usage-logger';
