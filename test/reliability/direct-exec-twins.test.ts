import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDirectExec, envNeedsShell, type DirectExec } from '../../src/checks/direct-exec.js';
import { createExecutor } from '../../src/checks/execute.js';
import { createLimiter } from '../../src/checks/limiter.js';
import { createProcessTracker } from '../../src/checks/process-tracker.js';
import type { CheckDefinition, RunResult } from '../../src/types.js';
import { defaultShell } from '../../src/util/default-shell.js';
import { pollUntil, scratchDir } from '../support/cli-child.js';

/**
 * Case A-07: a command of plain words may skip the shell only where nothing can differ. Each
 * plain command runs beside its quoted twin (which always goes through the shell), in every
 * situation where the shell does more than exec the program, and the two results must match.
 */

const shell = defaultShell();
const isBash = shell.endsWith('/bash');

function check(target: string): CheckDefinition {
  return {
    name: 'twin',
    kind: 'command',
    target,
    timeoutMs: 10_000,
    intervalMs: null,
    maxAgeMs: null,
    cachePassMs: 0,
    cacheFailMs: 0,
    rise: 1,
    fall: 1,
    warnExitCodes: [],
    critical: true,
    groups: [],
    expectStatus: [{ from: 200, to: 399 }],
    flapThresholdPercent: null,
    origin: { file: 'test', line: 1 },
  };
}

/** What a run found, without its times. */
function verdict(result: RunResult): Omit<RunResult, 'durationMs' | 'endedAt' | 'time'> {
  return {
    status: result.status,
    exitCode: result.exitCode,
    httpStatus: result.httpStatus,
    signal: result.signal,
    timedOut: result.timedOut,
    output: result.output,
  };
}

/** Output lines in order of name, for outputs that list the environment (its order may differ). */
function sortedLines(result: RunResult): RunResult {
  return { ...result, output: result.output.split('\n').sort().join('\n') };
}

interface Situation {
  readonly name: string;
  readonly shell: string;
  readonly env: NodeJS.ProcessEnv;
  readonly plain: string;
  readonly quoted: string;
  /** Whether the plain form may skip the shell here. */
  readonly direct: boolean;
  /** One of the four setups of case A-07, where the plain form must pass. */
  readonly fieldCase?: true;
  readonly compare?: (result: RunResult) => RunResult;
}

/** Waits until `direct` has asked the shell: a plain ELF command is then planned directly. */
async function untilAsked(direct: DirectExec, env: NodeJS.ProcessEnv): Promise<void> {
  const asked = await pollUntil(() => direct.plan('printenv PATH', env) !== null, 10_000);
  assert.ok(asked, 'the shell was never asked');
}

describe(
  'direct exec: each plain command and its quoted twin give the same result',
  {
    timeout: 120_000,
    skip: isBash ? false : `the default shell here is ${shell}; these situations need bash`,
  },
  () => {
    const dir = scratchDir();
    const base: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' };
    const situations: Situation[] = [];
    before(() => {
      const wrapper = join(dir.path, 'site-shell');
      writeFileSync(wrapper, `#!${shell}\nexport SITE_READY=yes\nexec ${shell} "$@"\n`, {
        mode: 0o755,
      });
      const bashEnv = join(dir.path, 'bash-env');
      writeFileSync(bashEnv, 'export FROM_BASH_ENV=yes\n');
      const noShebang = join(dir.path, 'no-shebang');
      writeFileSync(noShebang, 'if [[ -n "${BASH_VERSION:-}" ]]; then exit 0; fi\nexit 3\n', {
        mode: 0o755,
      });
      const badInterpreter = join(dir.path, 'bad-interpreter');
      writeFileSync(badInterpreter, `#!${dir.path}/no/such/sh\nexit 0\n`, { mode: 0o755 });
      situations.push(
        {
          name: 'default shell, ELF program',
          shell,
          env: { ...base, X: 'value' },
          plain: 'printenv X',
          quoted: "printenv 'X'",
          direct: true,
        },
        {
          name: 'default shell, the whole environment (the shell sets _, PWD, SHLVL)',
          shell,
          env: { ...base, OLDPWD: join(dir.path, 'gone'), SHLVL: '2' },
          plain: 'env',
          quoted: "'env'",
          direct: true,
          compare: sortedLines,
        },
        {
          name: 'a shell wrapper set by the operator',
          fieldCase: true,
          shell: wrapper,
          env: base,
          plain: 'printenv SITE_READY',
          quoted: "printenv 'SITE_READY'",
          direct: false,
        },
        {
          name: 'BASH_ENV',
          fieldCase: true,
          shell,
          env: { ...base, BASH_ENV: bashEnv },
          plain: 'printenv FROM_BASH_ENV',
          quoted: "printenv 'FROM_BASH_ENV'",
          direct: false,
        },
        {
          name: 'ENV',
          shell,
          env: { ...base, ENV: bashEnv },
          plain: 'printenv FROM_BASH_ENV',
          quoted: "printenv 'FROM_BASH_ENV'",
          direct: false,
        },
        {
          name: 'SHELLOPTS=xtrace exported',
          shell,
          env: { ...base, SHELLOPTS: 'xtrace', X: 'value' },
          plain: 'printenv X',
          quoted: "printenv 'X'",
          direct: false,
          // stdout and the trace on stderr arrive in either order
          compare: sortedLines,
        },
        {
          name: 'an exported bash function',
          fieldCase: true,
          shell,
          env: { ...base, 'BASH_FUNC_hcd_probe_fn%%': '() {  return 0\n}' },
          plain: 'hcd_probe_fn',
          quoted: "hcd_probe_fn ''",
          direct: false,
        },
        {
          name: 'an executable script without #!',
          fieldCase: true,
          shell,
          env: base,
          plain: noShebang,
          quoted: `'${noShebang}'`,
          direct: false,
        },
        {
          name: 'a #! script whose interpreter is missing',
          shell,
          env: base,
          plain: badInterpreter,
          quoted: `'${badInterpreter}'`,
          direct: false,
        },
        {
          name: 'a program that is not on PATH',
          shell,
          env: base,
          plain: 'hcd-no-such-program',
          quoted: "'hcd-no-such-program'",
          direct: false,
        },
      );
    });
    after(() => dir.cleanup());

    it('in every situation', { timeout: 120_000 }, async () => {
      for (const situation of situations) {
        const env = situation.env;
        const direct = createDirectExec({ shell: situation.shell, env });
        // Where the shell and the environment allow the shortcut at all, the planner is first
        // given time to ask the shell, so that its answer for the plain form is final.
        if (situation.shell === shell && !envNeedsShell(env)) await untilAsked(direct, env);
        const planned = direct.plan(situation.plain, env);
        assert.equal(planned !== null, situation.direct, `${situation.name}: skips the shell`);
        assert.equal(direct.plan(situation.quoted, env), null, `${situation.name}: quoted`);
        const execute = createExecutor({
          shell: situation.shell,
          limiter: createLimiter(2),
          tracker: createProcessTracker(),
          env,
          direct,
        });
        const compare = situation.compare ?? ((result: RunResult) => result);
        const plain = verdict(compare(await execute(check(situation.plain))));
        const quoted = verdict(compare(await execute(check(situation.quoted))));
        assert.deepEqual(plain, quoted, situation.name);
      }
    });

    it(
      'the field case passes: every plain form passes as its quoted twin does',
      {
        timeout: 60_000,
      },
      async () => {
        const passing = situations.filter((situation) => situation.fieldCase);
        assert.equal(passing.length, 4);
        for (const situation of passing) {
          const execute = createExecutor({
            shell: situation.shell,
            limiter: createLimiter(2),
            tracker: createProcessTracker(),
            env: situation.env,
          });
          const result = await execute(check(situation.plain));
          assert.equal(result.status, 'pass', `${situation.name}: ${result.output}`);
        }
      },
    );
  },
);
