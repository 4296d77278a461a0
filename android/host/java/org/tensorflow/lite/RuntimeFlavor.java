package org.tensorflow.lite;

/** Host double of TensorFlow Lite 2.16.1's {@code RuntimeFlavor}: which runtime is in use. */
public enum RuntimeFlavor {
  /** A runtime linked into the application (the host double is one). */
  APPLICATION,
  /** A runtime provided by the system (Google Play services); never the case on the host double. */
  SYSTEM,
}
