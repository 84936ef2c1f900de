/** The version of the 0.9 surface. */
export const LEGACY_VERSION = '0.9.1';
