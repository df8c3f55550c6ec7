/** Quiet request logs in tests unless LOG_LEVEL is set; warnings and errors still show. */
process.env.LOG_LEVEL ??= 'warn';
// Spans are made and serialized as in use, but not kept: a test that reads them names its own file.
process.env.TRACES_FILE ??= '/dev/null';
