package org.tensorflow.lite.gpu;

import org.tensorflow.lite.Delegate;
import org.tensorflow.lite.DelegateFactory;
import org.tensorflow.lite.RuntimeFlavor;

/** Host double of TensorFlow Lite 2.16.1's {@code GpuDelegateFactory} and its {@code Options}. */
public class GpuDelegateFactory implements DelegateFactory {

  private final Options options;

  /** GPU delegate options: recorded only, as there is no GPU delegate on the host double. */
  public static class Options {
    public Options() {}

    public static final int INFERENCE_PREFERENCE_FAST_SINGLE_ANSWER = 0;
    public static final int INFERENCE_PREFERENCE_SUSTAINED_SPEED = 1;

    public Options setPrecisionLossAllowed(boolean precisionLossAllowed) {
      this.precisionLossAllowed = precisionLossAllowed;
      return this;
    }

    public Options setQuantizedModelsAllowed(boolean quantizedModelsAllowed) {
      this.quantizedModelsAllowed = quantizedModelsAllowed;
      return this;
    }

    public Options setInferencePreference(int preference) {
      this.inferencePreference = preference;
      return this;
    }

    public Options setSerializationParams(String serializationDir, String modelToken) {
      this.serializationDir = serializationDir;
      this.modelToken = modelToken;
      return this;
    }

    public boolean isPrecisionLossAllowed() {
      return precisionLossAllowed;
    }

    public boolean areQuantizedModelsAllowed() {
      return quantizedModelsAllowed;
    }

    public int getInferencePreference() {
      return inferencePreference;
    }

    public String getSerializationDir() {
      return serializationDir;
    }

    public String getModelToken() {
      return modelToken;
    }

    private boolean precisionLossAllowed = true;
    boolean quantizedModelsAllowed = true;
    int inferencePreference = INFERENCE_PREFERENCE_FAST_SINGLE_ANSWER;
    String serializationDir = null;
    String modelToken = null;
  }

  public GpuDelegateFactory() {
    this(new Options());
  }

  public GpuDelegateFactory(Options options) {
    this.options = options;
  }

  /** Mirrors real: the application flavor makes a GpuDelegate (which no interpreter here can apply). */
  @Override
  public Delegate create(RuntimeFlavor runtimeFlavor) {
    switch (runtimeFlavor) {
      case APPLICATION:
        return new GpuDelegate(options);
      case SYSTEM:
        throw new IllegalStateException(
            "Error creating GPU delegate",
            new ClassNotFoundException("com.google.android.gms.tflite.gpu.GpuDelegate"));
      default:
        throw new IllegalArgumentException("Unsupported runtime flavor " + runtimeFlavor);
    }
  }
}
