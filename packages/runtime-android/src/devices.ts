import { ParityError } from '@bert-parity/core';

/** One line of `adb devices -l`: serial, state and the key:value descriptors adb adds. */
export interface ListedDevice {
  serial: string;
  /** device (usable), unauthorized, offline, recovery, sideload, bootloader, … */
  state: string;
  descriptors: Record<string, string>;
}

/** Parses `adb devices -l` output (header line, then one device per line; "* daemon …" lines skipped). */
export function parseDevices(stdout: string): ListedDevice[] {
  const devices: ListedDevice[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const t = line.trim();
    if (t === '' || t.startsWith('List of devices') || t.startsWith('*')) continue;
    const [serial, state, ...rest] = t.split(/\s+/);
    if (serial === undefined || state === undefined) continue;
    const descriptors: Record<string, string> = {};
    for (const r of rest) {
      const at = r.indexOf(':');
      if (at > 0) descriptors[r.slice(0, at)] = r.slice(at + 1);
    }
    devices.push({ serial, state, descriptors });
  }
  return devices;
}

const STATE_HINT: Record<string, string> = {
  unauthorized: 'accept the "Allow USB debugging" prompt on the device',
  offline: 'reconnect the cable or run `adb kill-server` and try again',
  authorizing: 'wait for the device to finish authorizing',
  connecting: 'wait for the device to finish connecting',
};

function listing(devices: readonly ListedDevice[]): string {
  return devices.map((d) => `${d.serial} (${d.state})`).join(', ');
}

/**
 * Picks the device to run on: the requested serial (ADB_SERIAL or an option) when given, else the one
 * usable device. Several usable devices without a choice is an error rather than a guess, as with adb.
 */
export function selectDevice(devices: readonly ListedDevice[], wanted: string | undefined): ListedDevice {
  if (devices.length === 0) {
    throw new ParityError(
      'E_DEVICE_NONE',
      'adb devices lists no device; expected one attached phone (USB debugging on) or a running emulator',
    );
  }
  const usableOrFail = (d: ListedDevice): ListedDevice => {
    if (d.state === 'device') return d;
    throw new ParityError(
      'E_DEVICE_STATE',
      `device ${d.serial} is "${d.state}"; expected "device"${STATE_HINT[d.state] ? ` (${STATE_HINT[d.state]})` : ''}`,
      { details: { serial: d.serial, state: d.state } },
    );
  };
  if (wanted !== undefined && wanted !== '') {
    const d = devices.find((x) => x.serial === wanted);
    if (d === undefined) {
      throw new ParityError(
        'E_DEVICE_SELECT',
        `device serial ${wanted} (ADB_SERIAL or the serial option) is not attached; attached: ${listing(devices)}`,
        { details: { serial: wanted, attached: devices.map((x) => x.serial) } },
      );
    }
    return usableOrFail(d);
  }
  const usable = devices.filter((d) => d.state === 'device');
  if (usable.length === 1) return usable[0] as ListedDevice;
  if (usable.length === 0) return usableOrFail(devices[0] as ListedDevice);
  throw new ParityError(
    'E_DEVICE_SELECT',
    `${usable.length} devices are attached (${listing(usable)}); expected one, or ADB_SERIAL set to the serial to use`,
    { details: { attached: usable.map((x) => x.serial) } },
  );
}
