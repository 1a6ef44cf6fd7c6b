import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { meantValue, readWithConfigparser } from '../support/configparser.js';
import { runCli, startDaemon, stopDaemon, type RunningDaemon } from '../support/daemon.js';
import { httpRequest } from '../support/http-client.js';
import { fixtures, tempDir } from '../support/paths.js';
import { requireProgram } from '../support/programs.js';

const corpus = join(fixtures, 'python-configs');

/**
 * The status the Python tool answered: its command as configparser read it, run by /bin/sh
 * (the tool ran it with shell=True); 200 on exit 0, else `status_fail` (503 by default).
 */
async function pythonToolStatus(file: string): Promise<number> {
  const section = await readWithConfigparser(file);
  const command = section.get('command');
  assert.ok(command !== undefined, `${file} has no command`);
  const passed = await promisify(execFile)('/bin/sh', ['-c', meantValue(command)], {
    timeout: 20_000,
  }).then(
    () => true,
    () => false,
  );
  const fail = section.get('status_fail');
  return passed ? 200 : Number(fail === undefined ? 503 : meantValue(fail));
}

describe(
  'Python-tool configs answer over HTTP as the Python tool did',
  { timeout: 180_000, skip: requireProgram('python3') },
  () => {
    const dir = tempDir();
    let daemon: RunningDaemon | undefined;
    after(async () => {
      await stopDaemon(daemon);
      dir.cleanup();
    });

    const cases = [
      'percent-escape.config',
      'mixed.config',
      'colon-separator.config',
      'lone-percent.config',
      'fail-status.config',
    ];
    for (const name of cases) {
      it(`${name}: the same status code`, { timeout: 60_000 }, async () => {
        const file = join(dir.path, name);
        copyFileSync(join(corpus, name), file);
        const expected = await pythonToolStatus(file);
        const pidfile = join(dir.path, `${name}.pid`);
        daemon = await startDaemon([
          'run',
          file,
          '--port',
          '0',
          '--bind',
          '127.0.0.1',
          '--pidfile',
          pidfile,
        ]);
        const reply = await httpRequest(daemon.port);
        assert.equal(reply.status, expected, reply.body);
        await stopDaemon(daemon);
        daemon = undefined;
      });
    }

    it('validate notes each translation and exits 0', { timeout: 30_000 }, async () => {
      const file = join(corpus, 'mixed.config');
      const result = await runCli(['validate', file]);
      assert.equal(result.code, 0, result.stderr);
      const notes = result.stdout.split('\n').filter((line) => line.startsWith('; line '));
      assert.deepEqual(notes, [
        '; line 2: expose_output: ":" separates key and value as "=" does',
        '; line 2: expose_output: key "Expose_Output" read as "expose_output" (key names in any case)',
        '; line 2: expose_output: [DEFAULT] key applied to [healthcheckd]',
        '; line 5: pidfile: ":" separates key and value as "=" does',
        '; line 5: pidfile: key "PidFile" read as "pidfile" (key names in any case)',
        '; line 5: pidfile: one pair of surrounding quotes removed',
        '; line 5: pidfile: ".pid" appended (the Python pid package\'s rule): mixed.pid',
        '; line 7: command: ":" separates key and value as "=" does',
        '; line 7: command: one pair of surrounding quotes removed',
        '; line 7: command: "%%" read as "%" (configparser interpolation): printf \'%d\\n\' 7 | grep -qx 7',
      ]);
      assert.match(result.stdout, /^expose_output = false$/m);
      assert.match(result.stdout, /^pidfile = \/tmp\/mixed\.pid$/m);
    });
  },
);
