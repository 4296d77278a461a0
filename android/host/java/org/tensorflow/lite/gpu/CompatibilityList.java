package org.tensorflow.lite.gpu;

import java.io.Closeable;

/**
 * Host double of TensorFlow Lite 2.16.1's {@code CompatibilityList}. Whether the GPU delegate is
 * "supported" is the system property {@code bertparity.gpuSupported} (default false: the host has no
 * GPU delegate), so a test can also take the path where the device claims support and the delegate
 * then fails to apply.
 */
public class CompatibilityList implements Closeable {
  private boolean open = true;

  public CompatibilityList() {}

  /** Mirrors real: a closed list cannot be asked (IllegalStateException). */
  public boolean isDelegateSupportedOnThisDevice() {
    if (!open) throw new IllegalStateException("Trying to query a closed compatibilityList.");
    return Boolean.getBoolean("bertparity.gpuSupported");
  }

  /** Mirrors real: default options. */
  @SuppressWarnings("deprecation")
  public GpuDelegate.Options getBestOptionsForThisDevice() {
    return new GpuDelegate.Options();
  }

  @Override
  public void close() {
    open = false;
  }
}
