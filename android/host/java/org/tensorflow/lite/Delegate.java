package org.tensorflow.lite;

import java.io.Closeable;

/**
 * Host double of TensorFlow Lite 2.16.1's {@code Delegate}: an interface extending {@link Closeable}
 * whose {@code close()} is a no-op default that throws no checked exception.
 */
public interface Delegate extends Closeable {
  /**
   * The native delegate handle. No delegate has one on the host double; implementations throw
   * IllegalStateException, as the real API does before the native delegate exists.
   */
  long getNativeHandle();

  @Override
  default void close() {}
}
