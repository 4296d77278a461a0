import { type ModelArtifact, ParityError, type RuntimeAdapter, type SessionOptions } from '@bert-parity/core';
import type { AndroidAdapter, Delegate } from '@bert-parity/runtime-android';
import type { Platform } from './platforms.ts';

let adapter: AndroidAdapter | undefined;

/**
 * `android`: the cell's TFLite model runs on an attached device through the on-device runner
 * (@bert-parity/runtime-android, docs/device-protocol.md). The device is chosen by ADB_SERIAL (or the
 * only one attached), adb by ADB or PATH, the delegate by BERT_PARITY_ANDROID_DELEGATE (xnnpack, cpu,
 * gpu, nnapi; default xnnpack). The host adapter of the runtime is not used: the device's LiteRT runs it.
 */
export const androidPlatform: Platform = {
  name: 'android',
  // Only TFLite models go to the device: its LiteRT interpreter stands in for the host's litert runtime.
  runtimes: ['litert'],
  async open(host: RuntimeAdapter, model: ModelArtifact, options: SessionOptions) {
    if (model.format !== 'tflite') {
      throw new ParityError(
        'E_PLATFORM_UNAVAILABLE',
        `platform android runs TFLite models on the device's LiteRT; ${model.path} is ${model.format} (runtime ${host.name}); expected a tflite variant with runtime litert`,
        { details: { format: model.format, runtime: host.name } },
      );
    }
    if (adapter === undefined) {
      const { AndroidAdapter } = await import('@bert-parity/runtime-android');
      const delegate = process.env.BERT_PARITY_ANDROID_DELEGATE;
      adapter = new AndroidAdapter(delegate ? { delegate: delegate as Delegate } : {});
    }
    return adapter.open(model, options);
  },
};
