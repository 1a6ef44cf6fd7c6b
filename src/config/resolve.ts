import type { CheckDefinition, DaemonSettings, ResolvedConfig } from '../types.js';
import { readFlagChecks, readOverrides, type ConfigFlags } from './flags.js';
import { flagProblem, lineProblem, type Problem } from './problems.js';
import { resolveAgent } from './resolve-agent.js';
import { resolveGrpc } from './resolve-grpc.js';
import { defaultCheck, flagCheckDefinition, resolveCheckSection } from './resolve-checks.js';
import { resolveDaemon, type ResolveEnv } from './resolve-daemon.js';
import type { Sections } from './sections.js';

/** Where the `[healthcheckd] command` shorthand's check comes from. */
const shorthandName = 'default';

/** The `command` shorthand in `[healthcheckd]`, as a check named "default". */
function shorthandCheck(
  sections: Sections,
  daemon: DaemonSettings,
  file: string,
): CheckDefinition[] {
  const entry = sections.daemon?.entries.get('command');
  if (entry === undefined || entry.value === null || entry.value === '') return [];
  return [
    defaultCheck(shorthandName, 'command', entry.value, daemon.timeoutMs, {
      file,
      line: entry.line,
    }),
  ];
}

/** The problem for two checks with one name; flag checks come last, so `later` may be one. */
function clash(first: CheckDefinition, later: CheckDefinition): Problem {
  if (later.origin.line === 0) {
    const message = `check name "${later.name}" is also the name of a check added by --${later.kind} (flag checks are named ${later.kind}-1, ${later.kind}-2, ...); rename [check:${later.name}]`;
    return lineProblem(first.origin.line, message);
  }
  const message = `check name "${later.name}" is taken by the command shorthand on line ${first.origin.line}; rename [check:${later.name}] or drop the shorthand`;
  return lineProblem(later.origin.line, message);
}

/** Reports every check whose name an earlier one already took. */
function checkUniqueNames(checks: readonly CheckDefinition[], problems: Problem[]): void {
  const seen = new Map<string, CheckDefinition>();
  for (const check of checks) {
    const first = seen.get(check.name);
    if (first === undefined) seen.set(check.name, check);
    else problems.push(clash(first, check));
  }
}

/** True when the file or the flags name at least one check, valid or not. */
function anyCheckGiven(sections: Sections, flags: ConfigFlags): boolean {
  const fromFlags = [flags.command, flags.tcp, flags.http].some((list) => (list?.length ?? 0) > 0);
  return fromFlags || sections.anyCheckHeader || sections.daemon?.entries.has('command') === true;
}

const noCheck =
  'no check configured: add `command = ...` to [healthcheckd] or a [check:NAME] section (healthcheckd never answers OK without a check)';

/** Merges sections, flags and defaults into the resolved config, collecting every problem. */
export function resolveConfig(
  sections: Sections,
  flags: ConfigFlags,
  env: ResolveEnv & { readonly cwd: string; readonly checksOptional?: boolean },
  problems: Problem[],
): ResolvedConfig {
  const overrides = readOverrides(flags, env.cwd, problems);
  const daemon = resolveDaemon(sections.daemon, overrides, env, problems);
  const file = env.file ?? 'command line';
  const fromFile = sections.checks.map((section) =>
    resolveCheckSection(section, daemon.timeoutMs, file, problems, env.baseDir),
  );
  const checks = [
    ...shorthandCheck(sections, daemon, file),
    ...fromFile.filter((check): check is CheckDefinition => check !== null),
    ...readFlagChecks(flags, problems).map((flag) => flagCheckDefinition(flag, daemon.timeoutMs)),
  ];
  checkUniqueNames(checks, problems);
  if (env.checksOptional !== true && !anyCheckGiven(sections, flags)) {
    problems.push(env.file === null ? flagProblem(noCheck) : lineProblem(null, noCheck));
  }
  const agent = resolveAgent(sections.agent, daemon.port, problems, overrides.agentPort);
  return {
    file: env.file,
    daemon,
    checks,
    agent,
    grpc: resolveGrpc(sections.grpc, daemon, problems, agent?.port ?? null),
  };
}
