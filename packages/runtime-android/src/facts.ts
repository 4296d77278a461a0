/** What a report says about the device a cell ran on (from `getprop`). */
export interface DeviceFacts {
  serial: string;
  manufacturer: string;
  model: string;
  /** Primary ABI (arm64-v8a, x86_64, …) and every ABI the device runs. */
  abi: string;
  abis: string[];
  /** API level (ro.build.version.sdk) and the Android release name. */
  sdk: number;
  release: string;
  fingerprint: string;
  /** True for an emulator (ro.kernel.qemu / ro.boot.qemu). */
  emulator: boolean;
}

/** Parses `getprop` output: lines of `[key]: [value]` (values may be empty). */
export function parseGetprop(stdout: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const m of stdout.matchAll(/^\[([^\]]+)\]: \[([^\]]*)\]\s*$/gm)) props[m[1] as string] = m[2] as string;
  return props;
}

export function deviceFacts(serial: string, props: Readonly<Record<string, string>>): DeviceFacts {
  const abis = (props['ro.product.cpu.abilist'] ?? '').split(',').filter((a) => a !== '');
  const sdk = Number.parseInt(props['ro.build.version.sdk'] ?? '', 10);
  return {
    serial,
    manufacturer: props['ro.product.manufacturer'] ?? 'unknown',
    model: props['ro.product.model'] ?? 'unknown',
    abi: props['ro.product.cpu.abi'] ?? abis[0] ?? 'unknown',
    abis,
    sdk: Number.isInteger(sdk) ? sdk : 0,
    release: props['ro.build.version.release'] ?? 'unknown',
    fingerprint: props['ro.build.fingerprint'] ?? 'unknown',
    emulator: props['ro.kernel.qemu'] === '1' || props['ro.boot.qemu'] === '1',
  };
}
