import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ParityError, type Tensor } from '@bert-parity/core';
import { BaseSession, type SessionInit } from '@bert-parity/runtime-base';
import type { AndroidDevice } from './device.ts';
import { exchange } from './exchange.ts';
import type { Delegate } from './protocol.ts';

export interface AndroidRun {
  device: AndroidDevice;
  component: string;
  runId: string;
  remoteDir: string;
  localDir: string;
  remoteModel: string;
  signature: string | null;
  delegate: Delegate;
  threads: number;
  repeats: number;
  keep: boolean;
}

/** A model pushed to one device; each runImpl is one protocol call in its own numbered folder. */
export class AndroidSession extends BaseSession {
  private calls = 0;
  /** Per-repeat latency of the last call, as the device measured it (ms). */
  lastDeviceLatencyMs: number[] = [];

  /** The device's own time for the last run (median of its repeats): adb and file transfer excluded. */
  get measuredLatencyMs(): number | undefined {
    const t = [...this.lastDeviceLatencyMs].sort((a, b) => a - b);
    return t.length === 0 ? undefined : t[(t.length - 1) >> 1];
  }

  constructor(
    private readonly run_: AndroidRun,
    init: SessionInit,
  ) {
    super(init);
  }

  protected async runImpl(feeds: readonly Tensor[]): Promise<Tensor[]> {
    const r = this.run_;
    const n = ++this.calls;
    const named = r.signature !== null;
    const { result, outputs } = await exchange(r.device, {
      component: r.component,
      remoteDir: `${r.remoteDir}/${n}`,
      previous: `${r.remoteDir}/${n === 1 ? 'describe' : n - 1}`,
      localDir: join(r.localDir, String(n)),
      request: {
        runId: `${r.runId}-${n}`,
        mode: 'run',
        model: r.remoteModel,
        signature: r.signature,
        delegate: r.delegate,
        threads: r.threads,
        repeats: r.repeats,
        rows: feeds[0]?.shape[0] ?? 1,
      },
      inputs: feeds.map((tensor, i) => ({ port: named ? (this.modelInputs[i]?.name as string) : i, tensor })),
      keep: r.keep,
    });
    if (outputs.length !== this.modelOutputs.length) {
      throw new ParityError(
        'E_DEVICE_PROTOCOL',
        `run ${r.runId}-${n} returned ${outputs.length} outputs; expected ${this.modelOutputs.length} as described at open`,
      );
    }
    this.lastDeviceLatencyMs = result.latencyMs;
    rmSync(join(r.localDir, String(n)), { recursive: true, force: true });
    return outputs;
  }

  /** Removes the run folder from the device (best effort: the device may be gone) and the local copies. */
  protected async closeImpl(): Promise<void> {
    const r = this.run_;
    try {
      if (!r.keep) await r.device.remove(r.remoteDir);
    } catch {
      // a disconnected device keeps its folder; the next run uses a new run id
    } finally {
      rmSync(r.localDir, { recursive: true, force: true });
    }
  }
}
