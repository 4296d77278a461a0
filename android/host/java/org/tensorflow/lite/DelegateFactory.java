package org.tensorflow.lite;

/** Host double of TensorFlow Lite 2.16.1's {@code DelegateFactory}. */
public interface DelegateFactory {
  /** Creates the delegate for the runtime flavor in use (the host double asks for APPLICATION). */
  Delegate create(RuntimeFlavor runtimeFlavor);
}
