export { createAgent, type Agent, type AgentDeps } from './agent.js';
export { agentLine, sanitizeReason, type AgentInput } from './agent-line.js';
export { createCpuSampler, parseProcStat, weightFromIdle, type CpuSampler } from './cpu.js';
export { failReason } from './reason.js';
export {
  createAgentServer,
  failClosedLine,
  type AgentServer,
  type AgentServerDeps,
} from './server.js';
export { parseWeight, weightFromCommand, type WeightReading } from './weight-command.js';
