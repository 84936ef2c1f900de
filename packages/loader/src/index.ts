/**
 * @tutti/loader — projects (`Compo.toml`), standalone scripts and their headers, package
 * search and dependency resolution; it hands the checker a program to check.
 */
export { type Dependency, type Header, parseHeader } from './header.js';
export { buildJeu, extractJeu, hasJeuHeader, JEU_HEADER, JEU_LIMITS, type JeuEntry, JeuError, projectEntries, readJeu } from './jeu.js';
export { type LoadedPackages, type LoadedProgram, type LoadOptions, loadLegacyPackages, loadPackages, loadProgram } from './load.js';
export { type Manifest, parseManifest } from './manifest.js';
export { isVersion, parseRequirement, type Requirement, satisfies } from './requirement.js';
