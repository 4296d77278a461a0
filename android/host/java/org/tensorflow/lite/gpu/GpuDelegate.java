package org.tensorflow.lite.gpu;

import org.tensorflow.lite.Delegate;

/**
 * Host double of TensorFlow Lite 2.16.1's {@code GpuDelegate}. It can be made and closed; an
 * Interpreter given one fails in its constructor with "Internal error: Failed to apply delegate: ...",
 * as real TFLite does with a delegate it cannot apply, since the host has no GPU delegate.
 */
public class GpuDelegate implements Delegate {

  /** @deprecated as real: use GpuDelegateFactory.Options. */
  @Deprecated
  public static final class Options extends GpuDelegateFactory.Options {
    public Options() {}
  }

  private boolean closed;

  public GpuDelegate(GpuDelegateFactory.Options options) {}

  public GpuDelegate() {
    this(new GpuDelegateFactory.Options());
  }

  /** No native GPU delegate exists on the host: IllegalStateException, as real before one is created. */
  @Override
  public long getNativeHandle() {
    throw new IllegalStateException(
        closed
            ? "TFLite host double: the GPU delegate is closed"
            : "TFLite host double: there is no native GPU delegate on the host");
  }

  @Override
  public void close() {
    closed = true;
  }
}
