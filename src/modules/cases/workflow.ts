/**
 * The workflow of a case as a declared state machine: which status may follow which, who may take
 * the step, and whether the step is a plain status change or happens only through an action (a
 * request for information, the applicant's reply, a decision). Procedures name their workflow;
 * everything that changes a case status asks `findTransition` first, so an illegal step is refused
 * in one place with one message.
 */
import type { CaseStatus } from '../../platform/db/schema.ts';

/** Who takes a step: a caseworker, the specialist procedure (API), the platform, the applicant. */
export type CaseActorKind = 'staff' | 'integration' | 'system' | 'citizen';

/** Steps that happen only as part of an action, never as a bare status change. */
export type TransitionVia = 'information_request' | 'reply' | 'decision';

export interface Transition {
  from: CaseStatus;
  to: CaseStatus;
  by: readonly CaseActorKind[];
  via?: TransitionVia;
  /** The step needs a reason that the applicant is told (rejection as inadmissible). */
  needsReason?: boolean;
}

export type WorkflowName = 'standard' | 'notification';

/** The declared workflows, in the order a procedure's settings offer them. */
export const WORKFLOW_NAMES = ['standard', 'notification'] as const satisfies readonly WorkflowName[];

export interface Workflow {
  name: WorkflowName;
  transitions: readonly Transition[];
}

/** Statuses in which the authority still works on the case (inbox "open", deadlines run). */
export const OPEN_STATUSES: readonly CaseStatus[] = ['submitted', 'in_progress', 'waiting'];
export const CASE_STATUSES: readonly CaseStatus[] = ['submitted', 'in_progress', 'waiting', 'decided', 'closed', 'withdrawn', 'rejected'];

const common: Transition[] = [
  { from: 'submitted', to: 'in_progress', by: ['staff', 'integration'] },
  { from: 'submitted', to: 'rejected', by: ['staff', 'integration'], needsReason: true },
  { from: 'in_progress', to: 'rejected', by: ['staff', 'integration'], needsReason: true },
  { from: 'submitted', to: 'waiting', by: ['staff'], via: 'information_request' },
  { from: 'in_progress', to: 'waiting', by: ['staff'], via: 'information_request' },
  { from: 'waiting', to: 'in_progress', by: ['citizen'], via: 'reply' },
  // The caseworker stops waiting (the document came by post, or the deadline passed without answer).
  { from: 'waiting', to: 'in_progress', by: ['staff', 'integration'] },
  { from: 'submitted', to: 'withdrawn', by: ['citizen'] },
  { from: 'in_progress', to: 'withdrawn', by: ['citizen'] },
  { from: 'waiting', to: 'withdrawn', by: ['citizen'] },
  { from: 'rejected', to: 'closed', by: ['staff', 'integration', 'system'] },
  { from: 'withdrawn', to: 'closed', by: ['staff', 'integration', 'system'] },
];

/** An application that ends with a decision (Bescheid): decided only by issuing one. */
export const standardWorkflow: Workflow = {
  name: 'standard',
  transitions: [
    ...common,
    { from: 'submitted', to: 'decided', by: ['staff', 'integration'], via: 'decision' },
    { from: 'in_progress', to: 'decided', by: ['staff', 'integration'], via: 'decision' },
    { from: 'decided', to: 'closed', by: ['staff', 'integration', 'system'] },
  ],
};

/** A notification (Anzeige, e.g. Mutterschutzmeldung): taken note of and closed, a decision is optional. */
export const notificationWorkflow: Workflow = {
  name: 'notification',
  transitions: [
    ...standardWorkflow.transitions,
    { from: 'in_progress', to: 'closed', by: ['staff', 'integration'] },
  ],
};

const WORKFLOWS: Record<WorkflowName, Workflow> = { standard: standardWorkflow, notification: notificationWorkflow };

/** The workflow of that name (the standard one for an unknown name). */
export function workflowNamed(name: string | null | undefined): Workflow {
  return WORKFLOWS[name as WorkflowName] ?? standardWorkflow;
}

/** The allowed step from `from` to `to` for that actor, taken as a plain change or through `via`. */
export function findTransition(workflow: Workflow, from: CaseStatus, to: CaseStatus, actor: CaseActorKind, via?: TransitionVia): Transition | undefined {
  return workflow.transitions.find((t) => t.from === from && t.to === to && t.by.includes(actor) && t.via === via);
}

/** The plain status changes a caseworker may take from `from` (the buttons on the case page). */
export function staffStatusActions(workflow: Workflow, from: CaseStatus): Transition[] {
  return workflow.transitions.filter((t) => t.from === from && t.by.includes('staff') && t.via === undefined);
}

/** Whether `via` may happen now, e.g. a request for information or a decision. */
export function allows(workflow: Workflow, from: CaseStatus, via: TransitionVia, actor: CaseActorKind): Transition | undefined {
  return workflow.transitions.find((t) => t.from === from && t.via === via && t.by.includes(actor));
}
