#!/usr/bin/env node
// Committed entry shim: npm links this file as `tutti` at install time, before the
// TypeScript build has produced dist/, so it must exist (and be executable) in git.
import { main } from '../dist/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(
      `tutti: internal error: ${error instanceof Error ? error.message : String(error)}\nThis is a bug in tutti; please report it.\n`,
    );
    process.exitCode = 70;
  },
);
