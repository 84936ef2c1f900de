/** A command-line problem (exit status 2). */
export class GitlabUsageError extends Error {}
