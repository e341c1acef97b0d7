export { digitalesAmtRoutes } from './digitales-amt.routes.ts';
export { DIGITALES_AMT_THRESHOLD } from './digitales-amt.rules.ts';
export {
  digitalesAmtEvaluateJob, digitalesAmtSchedules, enqueueDigitalesAmtEvaluation, evaluateDigitalesAmt,
} from './evaluate-digitales-amt.ts';
export type { EvaluationResult } from './evaluate-digitales-amt.ts';
export { findAward } from './find-award.ts';
export type { Award } from './find-award.ts';
