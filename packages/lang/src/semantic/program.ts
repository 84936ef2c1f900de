/**
 * What the checker needs from the loader: packages, each with native elements by area and
 * `.mel` sources read on demand. The loader (which knows about files, manifests and
 * package search) implements it; the checker never touches the file system.
 */
import type { ElementDescriptor, SourceFile } from '@tutti/core';

/** A package as the checker sees it. */
export interface PackageView {
  readonly name: string;
  readonly version: string;
  /**
   * Declared dependencies: name → the package selected for it, or undefined when none was
   * found (the loader reported E_PACKAGE_NOT_FOUND; uses into it are then not reported again).
   */
  readonly dependencies: ReadonlyMap<string, PackageView | undefined>;
  /** Native elements of an area (`std/flow`), if the package has any there. */
  natives(area: string): readonly ElementDescriptor[] | undefined;
  /**
   * The `.mel` source of an area: the file, undefined when the package has no such file,
   * or an error text when the file exists but cannot be read (reported as E_FILE).
   */
  melSource(area: string): SourceFile | undefined | { readonly error: string };
  /** Every area of the package that has a `.mel` file (for `check --all`). */
  melAreas(): readonly string[];
  /** Whether diagnostics in this package's own files are the user's (warnings shown). */
  readonly isUser: boolean;
}

/** The loaded program: packages by name, and how library type texts name data types. */
export interface ProgramView {
  readonly root: PackageView;
  /** Every package available, by name (bundled, the program's own, `--path` ones). */
  readonly packages: ReadonlyMap<string, PackageView>;
  /** Data type short name (`StringMap`) → identifier, across every native package. */
  readonly dataTypeNames: ReadonlyMap<string, string>;
}
