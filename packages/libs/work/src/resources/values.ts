/**
 * The values of `work/resources`: architectures, container and
 * volume descriptions as programs build them for `work/distant::distant`. Their fields are
 * those of a {@link ContainerSetRequest}'s entries, so a `compose` location hands them over
 * as they are.
 */
import type { DataValue } from '@tutti/core';
import type { StringMapValue } from '@tutti/lib-std';

/** `work/resources/arch::Arch`: `"amd64"` or `"arm64"`. */
export class ArchValue implements DataValue {
  private constructor(readonly name: 'amd64' | 'arm64') {}

  static readonly amd64 = new ArchValue('amd64');
  static readonly arm64 = new ArchValue('arm64');

  /** The architecture named `text`, or undefined (`Deserialize` of its text form). */
  static parse(text: string): ArchValue | undefined {
    return text === 'amd64' ? ArchValue.amd64 : text === 'arm64' ? ArchValue.arm64 : undefined;
  }

  toString(): string {
    return this.name;
  }

  display(): string {
    return this.name;
  }

  equals(other: unknown): boolean {
    return other instanceof ArchValue && other.name === this.name;
  }
}

/** `work/resources::Mount`: a volume mounted at a point of a container. */
export class MountValue implements DataValue {
  constructor(
    readonly name: string,
    readonly point: string,
  ) {}

  display(): string {
    return `Mount { name: "${this.name}", mount_point: "${this.point}" }`;
  }
}

/** `work/resources::Volume`: a shared volume and its size in MB. */
export class VolumeValue implements DataValue {
  constructor(
    readonly name: string,
    readonly storage: number,
  ) {}

  display(): string {
    return `Volume { name: "${this.name}", storage: ${this.storage} }`;
  }
}

/** `work/resources::Container`: an executor container (memory and storage in MB, cpu in millicores). */
export class ContainerValue implements DataValue {
  constructor(
    readonly name: string,
    readonly memory: number,
    readonly cpu: number,
    readonly storage: number,
    readonly arch: 'amd64' | 'arm64' | undefined,
    readonly mounts: readonly MountValue[],
    readonly image: string,
    /** `"{}"` when none was given (as the reference). */
    readonly pullSecret: string,
  ) {}

  display(): string {
    return `Container { name: "${this.name}", image: "${this.image}" }`;
  }
}

/** `work/resources::ServiceContainer`: a side-car service container. */
export class ServiceContainerValue implements DataValue {
  constructor(
    readonly name: string,
    readonly memory: number,
    readonly cpu: number,
    readonly storage: number,
    readonly arch: 'amd64' | 'arm64' | undefined,
    readonly mounts: readonly MountValue[],
    readonly image: string,
    readonly pullSecret: string,
    readonly env: Readonly<Record<string, string>>,
    /** Undefined: the image's default command. */
    readonly command: readonly string[] | undefined,
  ) {}

  display(): string {
    return `ServiceContainer { name: "${this.name}", image: "${this.image}" }`;
  }
}

/** The plain record of a `StringMap` (none → empty). */
export function recordOf(map: StringMapValue | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (map !== null) for (const [k, v] of map) out[k] = v;
  return out;
}
