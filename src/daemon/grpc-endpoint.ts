import { endpointsOf } from '../checks/endpoints.js';
import type { GrpcHealthServer } from '../grpc/server.js';
import { createHealthSource, type HealthSource } from '../grpc/status.js';
import type { ResolvedConfig } from '../types.js';
import type { EndpointParts } from './endpoints.js';

/** Makes the gRPC health server around a source. */
export type GrpcFactory = (source: HealthSource) => GrpcHealthServer;

/**
 * The gRPC health server's factory when `[grpc]` is configured, else null. @grpc/grpc-js is
 * imported here, on first need, so that a daemon without `[grpc]` never loads it.
 */
export async function loadGrpc(config: ResolvedConfig): Promise<GrpcFactory | null> {
  if (config.grpc === null) return null;
  const module = await import('../grpc/server.js');
  return module.createGrpcHealthServer;
}

/** What gRPC answers from: the same endpoints and maintenance (drain included) as HTTP. */
export function grpcSource(parts: EndpointParts): HealthSource {
  return createHealthSource(endpointsOf(parts.checks), parts.maintenance);
}
