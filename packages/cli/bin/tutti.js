#!/usr/bin/env node
// Committed entry shim: npm links this file as `tutti` at install time, before the
// TypeScript build has produced dist/, so it must exist (and be executable) in git.
// It prefers the single-file bundle (scripts/bundle.mjs), which starts much faster than
// the module tree, and falls back to the module tree when no bundle was built.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/tutti.bundle.mjs', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/main.js');

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
