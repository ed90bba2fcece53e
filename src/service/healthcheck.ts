// The image's HEALTHCHECK (Dockerfile): exits 0 when the service in this container answers /readyz, 1 otherwise. It
// asks where the service listens (SERVICE_HOST, SERVICE_PORT), through loopback when the service listens on every
// interface. Loads only the configuration, not the service: it runs every few seconds.
import { loadConfig } from '../config';

export function readyzUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === '[::]' ? '::1' : host.replace(/^\[|\]$/g, '');
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}/readyz`;
}

if (require.main === module) {
  const { service } = loadConfig();
  fetch(readyzUrl(service.host, service.port), { signal: AbortSignal.timeout(4000) }).then(
    (r) => process.exit(r.ok ? 0 : 1),
    () => process.exit(1),
  );
}
