/**
 * The packages built into tutti (found before any other, docs/language.md#finding-packages),
 * in the order `info --packages` lists them.
 */
import type { PackageDescriptor } from '@tutti/core';
import { cicd } from '@tutti/lib-cicd';
import { distrib } from '@tutti/lib-distrib';
import { encoding } from '@tutti/lib-encoding';
import { fs } from '@tutti/lib-fs';
import { http } from '@tutti/lib-http';
import { javascript } from '@tutti/lib-javascript';
import { json } from '@tutti/lib-json';
import { legacyCicd, legacyDistrib, legacyProcess, legacyWork, log } from '@tutti/lib-legacy';
import { net } from '@tutti/lib-net';
import { process as processPackage } from '@tutti/lib-process';
import { regex } from '@tutti/lib-regex';
import { sql } from '@tutti/lib-sql';
import { std } from '@tutti/lib-std';
import { work } from '@tutti/lib-work';

/** Every bundled package. */
export const BUNDLED: readonly PackageDescriptor[] = [
  std,
  fs,
  processPackage,
  encoding,
  json,
  regex,
  javascript,
  net,
  http,
  sql,
  work,
  distrib,
  cicd,
];

/**
 * The 0.9 surface (docs/legacy.md): `log`, and the 0.9 layers of `cicd`, `work`,
 * `distrib` and `process`, chosen by the loader for programs that require `^0.9` of them
 * (`LoadOptions.legacy`).
 */
export const BUNDLED_LEGACY: readonly PackageDescriptor[] = [
  log,
  legacyCicd(cicd),
  legacyWork(work),
  legacyDistrib(distrib),
  legacyProcess(processPackage),
];
