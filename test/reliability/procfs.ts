// Kept for reliability tests written before these helpers moved to test/support/: process
// readers are in ../support/processes.js, daemonConfig and stopDaemon in ../support/daemon.js.
/** @deprecated import from ../support/processes.js */
export {
  allProcesses,
  descendantsOf,
  killAll,
  openFds,
  openFileLimit,
  procStat,
  processesWithEnv,
  uniqueTag,
  zombieChildren,
  type ProcStat,
} from '../support/processes.js';
/** @deprecated import from ../support/daemon.js */
export { daemonConfig, stopDaemon } from '../support/daemon.js';
