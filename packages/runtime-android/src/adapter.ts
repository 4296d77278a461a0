import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Availability, type ModelArtifact, ParityError, type RuntimeAdapter } from '@bert-parity/core';
import {
  type AdapterOptions,
  artifactIdsInput,
  artifactVocabSize,
  availableWhen,
  openFixedBatch,
  requireFormat,
} from '@bert-parity/runtime-base';
import { Adb } from './adb.ts';
import { AndroidDevice, DEFAULT_TIMEOUTS, type Timeouts } from './device.ts';
import { parseDevices, selectDevice } from './devices.ts';
import { exchange } from './exchange.ts';
import { DELEGATES, type Delegate } from './protocol.ts';
import { AndroidSession } from './session.ts';

export const ANDROID_RUNTIME_NAME = 'litert-android';
/** The runner APK built from android/ (applicationId and instrumentation class). */
export const RUNNER_COMPONENT = 'dev.bertparity.runner/.ParityInstrumentation';
/** Every run folder lives under here; files in /data/local/tmp are readable by apps and writable by adb. */
export const DEVICE_ROOT = '/data/local/tmp/bert-parity';

export interface AndroidOptions {
  /** adb executable; default ADB env, else `adb` on PATH. */
  adb?: string;
  /** Device serial; default ADB_SERIAL env, else the only attached device. */
  serial?: string;
  delegate?: Delegate;
  threads?: number;
  /** Timed runs per call on the device (the outputs are the first run's). */
  repeats?: number;
  timeouts?: Partial<Timeouts>;
  /** Extra attempts after a transient adb transport failure (not after timeouts or disconnects). */
  retries?: number;
  /** `am instrument` component of the runner. */
  component?: string;
  /** Leave run folders on the device (for debugging the runner). */
  keepOnDevice?: boolean;
  /** Environment for ADB / ADB_SERIAL and the adb process (tests point it at the simulator). */
  env?: NodeJS.ProcessEnv;
}

export interface AndroidSessionOptions extends AdapterOptions {
  /** Overrides AndroidOptions.delegate for one session; SessionOptions.backend names a delegate too. */
  delegate?: Delegate;
}

/**
 * TFLite on an Android device over adb. open() selects the device, reads its facts, pushes the model and
 * asks the runner to describe it (so a model that does not load on the phone fails at open, with the
 * device's own message); run() goes through BaseSession (feed checks, padding to [1, 128], row split) and
 * sends each row through the device protocol.
 */
export class AndroidAdapter implements RuntimeAdapter {
  readonly name = ANDROID_RUNTIME_NAME;
  readonly formats = ['tflite'] as const;
  private readonly timeouts: Timeouts;

  constructor(private readonly options: AndroidOptions = {}) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  }

  private env(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env;
  }

  /** Finds adb and the device to use; throws the coded reason when there is none. */
  async selectDevice(): Promise<AndroidDevice> {
    const env = this.env();
    const adb = Adb.fromEnv(env, this.options.adb);
    const retries = this.options.retries ?? 2;
    const { stdout } = await adb.exec(['devices', '-l'], { timeoutMs: this.timeouts.commandMs, retries });
    const listed = selectDevice(parseDevices(stdout), this.options.serial ?? env.ADB_SERIAL);
    return new AndroidDevice(adb, listed.serial, this.timeouts, retries);
  }

  available(): Promise<Availability> {
    return availableWhen(() => this.selectDevice());
  }

  async open(model: ModelArtifact, options: AndroidSessionOptions = {}): Promise<AndroidSession> {
    requireFormat(this.name, this.formats, model);
    const delegate = pickDelegate(options.delegate ?? options.backend ?? this.options.delegate ?? 'xnnpack');
    const threads = options.threads ?? this.options.threads ?? 1;
    const repeats = this.options.repeats ?? 1;
    const keep = this.options.keepOnDevice === true;
    const component = this.options.component ?? RUNNER_COMPONENT;
    const device = await this.selectDevice();
    const facts = await device.facts();
    const runId = `bp-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const remoteDir = `${DEVICE_ROOT}/${runId}`;
    const localDir = mkdtempSync(join(tmpdir(), 'bert-parity-android-'));
    const remoteModel = `${remoteDir}/model.tflite`;
    const signature = model.signature === null ? null : (model.signature.key ?? 'serving_default');
    try {
      await device.makeDir(remoteDir);
      await device.pushAs(model.path, remoteModel);
      const described = await exchange(device, {
        component,
        remoteDir: `${remoteDir}/describe`,
        localDir: join(localDir, 'describe'),
        request: {
          runId: `${runId}-describe`,
          mode: 'describe',
          model: remoteModel,
          signature,
          delegate,
          threads,
          repeats: 1,
          rows: 1,
        },
        inputs: [],
        keep,
      });
      const ports = described.result.model;
      if (ports === null)
        throw new ParityError('E_DEVICE_PROTOCOL', `the runner on ${device.serial} described no model ports`);
      return new AndroidSession(
        { device, component, runId, remoteDir, localDir, remoteModel, signature, delegate, threads, repeats, keep },
        {
          // The runner splits batches on the device (request.rows), so a fixed batch of 1 is shown as open.
          modelInputs: ports.inputs.map(openFixedBatch),
          modelOutputs: ports.outputs.map(openFixedBatch),
          named: signature !== null,
          options,
          vocabSize: artifactVocabSize(model),
          idsModelInput: artifactIdsInput(model),
          environment: {
            runtime: ANDROID_RUNTIME_NAME,
            version: described.result.runtime.version,
            backend: delegate,
            threads,
            deviceRuntime: described.result.runtime.name,
            signature: signature ?? '<positional>',
            device: facts,
            protocol: described.result.protocol,
          },
        },
      );
    } catch (e) {
      const gone = e instanceof ParityError && (e.code === 'E_DEVICE_DISCONNECTED' || e.code === 'E_DEVICE_TIMEOUT');
      if (!keep && !gone) await device.remove(remoteDir).catch(() => undefined);
      rmSync(localDir, { recursive: true, force: true });
      throw e;
    }
  }
}

function pickDelegate(name: string): Delegate {
  if ((DELEGATES as readonly string[]).includes(name)) return name as Delegate;
  throw new ParityError(
    'E_RUNTIME_UNAVAILABLE',
    `Android delegate "${name}" is unknown; expected one of ${DELEGATES.join(', ')}`,
    {
      details: { delegate: name },
    },
  );
}
