/**
 * How long a step asks again for a role that IAM denies, and how often: a role that the pipeline created moments
 * before the step (the access stack in an environment account), or a trust just changed, may be denied for a while,
 * since IAM is eventually consistent (IAM User Guide, "Troubleshoot IAM", changes that I make are not always
 * immediately visible, https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
 * The verification and preflight programs and the protection step's shell commands wait alike.
 */
export const ROLE_WAIT_MS = 60_000;
/** Pause between two asks for a denied role. */
export const ROLE_RETRY_INTERVAL_MS = 5_000;
