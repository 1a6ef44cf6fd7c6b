import { HealthcheckdError } from '../errors.js';
import { isAddressInUse } from '../util/listen.js';

/** A server that listens on one address at a time: the HTTP endpoint and the agent server alike. */
export interface Listening {
  /** Resolves with the bound port; rejects with a HealthcheckdError (E_LISTEN). */
  readonly listen: (port: number, host: string) => Promise<number>;
  /** Stops accepting; answers in flight get up to `graceMs`, then their connections are cut. */
  readonly close: (graceMs: number) => Promise<void>;
}

/** Where a server is asked to listen: `port` 0 takes any free port. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/** A server bound to an address. */
export interface Binding<S extends Listening> {
  readonly server: S;
  /** The address the config asked for. */
  readonly asked: Address;
  /** The port bound (the asked one, or the one picked for port 0). */
  readonly port: number;
}

/** A binding that a reload moves to, and how to finish or undo the move. */
export interface Rebound<S extends Listening> {
  readonly binding: Binding<S>;
  /** The reload took: closes the binding replaced, when it is still open. */
  readonly commit: (graceMs: number) => Promise<void>;
  /** A later step failed: closes what this rebind opened and reopens what it closed. */
  readonly rollback: () => Promise<void>;
}

/** Binds a new server. @throws HealthcheckdError E_LISTEN */
export async function bind<S extends Listening>(server: S, asked: Address): Promise<Binding<S>> {
  return { server, asked, port: await server.listen(asked.port, asked.host) };
}

/** Closes a binding: answers in flight get up to `graceMs`. */
export function unbind(binding: Binding<Listening>, graceMs: number): Promise<void> {
  return binding.server.close(graceMs);
}

/** Listens again where a closed binding was. @throws HealthcheckdError E_LISTEN */
export async function reopen(binding: Binding<Listening>): Promise<void> {
  await binding.server.listen(binding.port, binding.asked.host);
}

const nothing = (): Promise<void> => Promise.resolve();

/**
 * Moves from `current` (null: nothing bound) to `asked`. The same address keeps the same
 * server (its connections are not touched). A new address gets a new server from `create`,
 * bound next to the old one; when only the host changed and the old server holds the port
 * (127.0.0.1 to 0.0.0.0), the old one is closed first and, if the new bind still fails,
 * opened again where it was. A failure leaves `current` as it was and throws.
 * @throws HealthcheckdError E_LISTEN
 */
export async function rebind<S extends Listening>(
  current: Binding<S> | null,
  asked: Address,
  create: () => S,
  graceMs: number,
): Promise<Rebound<S>> {
  if (current && sameAddress(current.asked, asked)) {
    return { binding: current, commit: nothing, rollback: nothing };
  }
  const server = create();
  try {
    const binding = await bind(server, asked);
    return {
      binding,
      commit: current ? (grace) => unbind(current, grace) : nothing,
      rollback: () => unbind(binding, 0),
    };
  } catch (error) {
    if (!current || current.port !== asked.port || !isAddressInUse(error)) throw error;
  }
  return takeOver(current, server, asked, graceMs);
}

/** The address-only change: `current` holds the port, so it closes before the new bind. */
async function takeOver<S extends Listening>(
  current: Binding<S>,
  server: S,
  asked: Address,
  graceMs: number,
): Promise<Rebound<S>> {
  await unbind(current, graceMs);
  let binding: Binding<S>;
  try {
    binding = await bind(server, asked);
  } catch (error) {
    await reopenAfter(current, error);
    throw error;
  }
  return {
    binding,
    commit: nothing,
    rollback: async () => {
      await unbind(binding, 0);
      await reopenAfter(current, null);
    },
  };
}

/** Reopens `current`; if even that fails, the error says both what failed and why. */
async function reopenAfter(current: Binding<Listening>, failure: unknown): Promise<void> {
  try {
    await reopen(current);
  } catch (error) {
    const where = `${current.asked.host}:${current.port}`;
    const why = failure instanceof Error ? `${failure.message}; ` : '';
    throw new HealthcheckdError(
      'E_LISTEN',
      `${why}the previous address ${where} could not be opened again, nothing listens there: ${(error as Error).message}`,
      [],
      { cause: failure ?? error },
    );
  }
}

function sameAddress(a: Address, b: Address): boolean {
  return a.host === b.host && a.port === b.port;
}
