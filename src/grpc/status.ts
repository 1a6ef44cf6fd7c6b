import type { Endpoint, Endpoints, MaintenanceFlag, Status } from '../types.js';

/** What grpc.health.v1 says of one service name (`UNKNOWN` is never sent). */
export type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

/** The flag that puts an endpoint holding these checks in maintenance (drain included), or null. */
export type MaintenanceOf = (names: readonly string[]) => MaintenanceFlag | null;

/** Where the service reads the daemon's state: the same endpoints and maintenance as HTTP. */
export interface HealthSource {
  /** For Check: may run checks as an HTTP probe would; null for a name that is not known. */
  readonly check: (service: string) => Promise<ServingStatus | null>;
  /** For Watch: the state now, running nothing; null for a name that is not known. */
  readonly current: (service: string) => ServingStatus | null;
}

/** The prefix of a one-check service name: `check/NAME`. */
export const checkPrefix = 'check/';

/**
 * The mapping of DESIGN §11: pass and warn SERVING, fail and maintenance NOT_SERVING.
 */
export function servingStatus(status: Status, maintenance: boolean): ServingStatus {
  return maintenance || status === 'fail' ? 'NOT_SERVING' : 'SERVING';
}

/** The endpoint a service name names: `""` the aggregate, `check/NAME` one check, else a group. */
export function endpointFor(endpoints: Endpoints, service: string): Endpoint | undefined {
  if (service === '') return endpoints.aggregate;
  if (service.startsWith(checkPrefix)) return endpoints.check(service.slice(checkPrefix.length));
  return endpoints.group(service);
}

/** The source over one runtime's endpoints and maintenance. */
export function createHealthSource(endpoints: Endpoints, maintenance: MaintenanceOf): HealthSource {
  return {
    async check(service) {
      const endpoint = endpointFor(endpoints, service);
      if (!endpoint) return null;
      if (maintenance(endpoint.names)) return 'NOT_SERVING';
      const report = await endpoint.evaluate({ bypassCache: false });
      return servingStatus(report.status, maintenance(endpoint.names) !== null);
    },
    current(service) {
      const endpoint = endpointFor(endpoints, service);
      if (!endpoint) return null;
      return servingStatus(endpoint.current().status, maintenance(endpoint.names) !== null);
    },
  };
}
