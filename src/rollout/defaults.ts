/** Argo Rollouts' defaults, which the manifest schema documents. */
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
export const DEFAULT_DELAY_SECONDS = 30;
