import { type ModelArtifact, ParityError } from '@bert-parity/core';
import type { AndroidAdapter, Delegate } from '@bert-parity/runtime-android';
import type { AdapterOptions } from '@bert-parity/runtime-base';
import type { RuntimeName } from '../config/schema.ts';
import type { PlatformDefinition } from './platform.ts';

/**
 * `android`: the cell's TFLite model runs on an attached device through the on-device runner
 * (@bert-parity/runtime-android, docs/device-protocol.md). The device is chosen by ADB_SERIAL (or the
 * only one attached), adb by ADB or PATH, the delegate by BERT_PARITY_ANDROID_DELEGATE (xnnpack, cpu,
 * gpu, nnapi; default xnnpack). The host adapter of the runtime is not used: the device's LiteRT runs it.
 */
export const androidPlatform: PlatformDefinition = {
  name: 'android',
  // Only TFLite models go to the device: its LiteRT interpreter stands in for the host's litert runtime.
  runtimes: ['litert'],
  create() {
    let adapter: AndroidAdapter | undefined;
    return {
      async open(runtime: RuntimeName, model: ModelArtifact, options: AdapterOptions) {
        if (model.format !== 'tflite') {
          throw new ParityError(
            'E_PLATFORM_UNAVAILABLE',
            `platform android runs TFLite models on the device's LiteRT; ${model.path} is ${model.format} (runtime ${runtime}); expected a tflite variant with runtime litert`,
            { details: { format: model.format, runtime } },
          );
        }
        if (adapter === undefined) {
          const { AndroidAdapter } = await import('@bert-parity/runtime-android');
          const delegate = process.env.BERT_PARITY_ANDROID_DELEGATE;
          adapter = new AndroidAdapter(delegate ? { delegate: delegate as Delegate } : {});
        }
        return adapter.open(model, options);
      },
      // Each session removes its own files from the device when it closes; adb needs no stopping.
      close: async () => undefined,
    };
  },
};
