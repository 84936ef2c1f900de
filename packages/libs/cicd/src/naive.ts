/**
 * `cicd/naive::|host_arch` — Tutti's extension: the architecture of this host, which
 * `simpleStep*` give their container when `arch` is none. The reference (whose
 * cloud runs arm64 machines) says arm64; on `local` and `compose` the containers run on this
 * host, where an arm64 image cannot run on an amd64 machine, so the host's is the useful default.
 */
import { fn } from '@tutti/core';
import { ArchValue } from '@tutti/lib-work';

export const hostArch = fn('cicd/naive', 'host_arch', {
  returns: 'work/resources/arch::Arch',
  doc: "Tutti's extension: this host's architecture (`arm64` on ARM machines, `amd64` otherwise), the default architecture of `simpleStep*` containers.",
  impl: () => (process.arch === 'arm64' ? ArchValue.arm64 : ArchValue.amd64),
});
