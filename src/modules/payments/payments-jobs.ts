/**
 * The payments module's jobs and schedules for the worker: outcome hook, reconciliation, and (demo)
 * the simulator's notifications and delayed settlements.
 */
import type { Config } from '../../config.ts';
import type { JobDefinition } from '../../platform/jobs/queue.ts';
import type { Schedule } from '../../platform/jobs/worker.ts';
import { paymentOutcomeJob } from './outcome.ts';
import type { PaymentsRuntime } from './payments-runtime.ts';
import { paymentReconciliation } from './reconcile-payments.ts';
import { simulatorJobs, type SimulatorJobs } from './simulator/simulator.jobs.ts';

export interface PaymentsJobs {
  definitions: JobDefinition[];
  schedules: Schedule[];
  /** Null unless the simulator is served. */
  simulator: SimulatorJobs | null;
}

/** Builds the payments jobs for this configuration. */
export function paymentsJobs(config: Config, runtime: PaymentsRuntime): PaymentsJobs {
  const reconciliation = paymentReconciliation(runtime);
  const simulator = config.payments.simulator
    ? simulatorJobs({ pmpayment: config.payments.pmpayment.secret, epaybl: config.payments.epaybl.secret, mandantId: config.payments.epaybl.mandantId }, config.payments.timeoutMs)
    : null;
  return {
    definitions: [paymentOutcomeJob as JobDefinition, ...(simulator ? [simulator.notify as JobDefinition, simulator.settle as JobDefinition] : [])],
    schedules: [reconciliation.schedule],
    simulator,
  };
}
