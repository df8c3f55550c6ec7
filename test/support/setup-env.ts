/** Quiet request logs in tests unless LOG_LEVEL is set; warnings and errors still show. */
process.env.LOG_LEVEL ??= 'warn';
