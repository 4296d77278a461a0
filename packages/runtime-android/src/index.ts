export {
  ANDROID_RUNTIME_NAME,
  AndroidAdapter,
  type AndroidOptions,
  type AndroidSessionOptions,
  DEVICE_ROOT,
  RUNNER_COMPONENT,
} from './adapter.ts';
export { Adb, type AdbCallOptions, type AdbOutput } from './adb.ts';
export { AndroidDevice, DEFAULT_TIMEOUTS, instrumentationFailure, type Timeouts } from './device.ts';
export { type ListedDevice, parseDevices, selectDevice } from './devices.ts';
export { type DeviceFacts, deviceFacts, parseGetprop } from './facts.ts';
export {
  DELEGATES,
  type Delegate,
  type DeviceError,
  type DeviceRequest,
  type DeviceResult,
  deviceErrorToParity,
  makeRequest,
  NPY_FILE,
  type PortRef,
  PROTOCOL,
  parseRequest,
  parseResult,
  REQUEST_FILE,
  RESULT_FILE,
} from './protocol.ts';
export { AndroidSession } from './session.ts';
