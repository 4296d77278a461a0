package org.tensorflow.lite;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Host double of TensorFlow Lite 2.16.1's {@code InterpreterApi}: the non-experimental interpreter
 * methods, an {@link AutoCloseable} whose {@code close()} throws no checked exception, and the
 * {@link Options} base class. (setAccelerationConfig/getAccelerationConfig are left out: they need the
 * acceleration service's types.) Signatures follow the 2.16-era sources and API docs; the
 * checkerframework @NonNull annotations on some parameters are left out (no dependency for them).
 */
public interface InterpreterApi extends AutoCloseable {

  /** Options for an interpreter; setters return this type (Interpreter.Options narrows them). */
  class Options {
    public Options() {
      this.delegates = new ArrayList<>();
      this.delegateFactories = new ArrayList<>();
    }

    public Options(Options other) {
      this.numThreads = other.numThreads;
      this.useNNAPI = other.useNNAPI;
      this.allowCancellation = other.allowCancellation;
      this.delegates = new ArrayList<>(other.delegates);
      this.delegateFactories = new ArrayList<>(other.delegateFactories);
      this.runtime = other.runtime;
      this.useXNNPACK = other.useXNNPACK;
    }

    /** Threads for ops that use several; accepted as real (LiteRT.js's wasm build runs on one). */
    public Options setNumThreads(int numThreads) {
      this.numThreads = numThreads;
      return this;
    }

    public int getNumThreads() {
      return numThreads;
    }

    /** NNAPI: on the host double the interpreter constructor rejects it as an unappliable delegate. */
    public Options setUseNNAPI(boolean useNNAPI) {
      this.useNNAPI = useNNAPI;
      return this;
    }

    public boolean getUseNNAPI() {
      return useNNAPI != null && useNNAPI;
    }

    public Options setCancellable(boolean allow) {
      this.allowCancellation = allow;
      return this;
    }

    public boolean isCancellable() {
      return allowCancellation != null && allowCancellation;
    }

    public Options addDelegate(Delegate delegate) {
      delegates.add(delegate);
      return this;
    }

    public List<Delegate> getDelegates() {
      return Collections.unmodifiableList(delegates);
    }

    public Options addDelegateFactory(DelegateFactory delegateFactory) {
      delegateFactories.add(delegateFactory);
      return this;
    }

    public List<DelegateFactory> getDelegateFactories() {
      return Collections.unmodifiableList(delegateFactories);
    }

    /** Where the TFLite runtime comes from (a preference); the host double only has an application one. */
    public enum TfLiteRuntime {
      FROM_APPLICATION_ONLY,
      FROM_SYSTEM_ONLY,
      PREFER_SYSTEM_OVER_APPLICATION,
    }

    public Options setRuntime(TfLiteRuntime runtime) {
      this.runtime = runtime;
      return this;
    }

    public TfLiteRuntime getRuntime() {
      return runtime;
    }

    /**
     * XNNPACK on or off: accepted and recorded, but LiteRT.js's wasm CPU path always runs XNNPACK, so the
     * numbers are XNNPACK's either way on the host double.
     */
    public Options setUseXNNPACK(boolean useXNNPACK) {
      this.useXNNPACK = useXNNPACK;
      return this;
    }

    /** Mirrors real: unset means the default, which is to apply XNNPACK. */
    public boolean getUseXNNPACK() {
      return useXNNPACK == null || useXNNPACK;
    }

    TfLiteRuntime runtime = TfLiteRuntime.FROM_APPLICATION_ONLY;
    int numThreads = -1;
    Boolean useNNAPI;
    Boolean useXNNPACK;
    Boolean allowCancellation;
    final List<Delegate> delegates;
    private final List<DelegateFactory> delegateFactories;
  }

  /** Mirrors InterpreterApi.create: an InterpreterImpl from the application runtime. */
  static InterpreterApi create(File modelFile, InterpreterApi.Options options) {
    TensorFlowLite.checkRuntime(options == null ? null : options.getRuntime());
    return new InterpreterImpl(
        modelFile, options == null ? new InterpreterImpl.Options() : new InterpreterImpl.Options(options));
  }

  static InterpreterApi create(ByteBuffer byteBuffer, InterpreterApi.Options options) {
    TensorFlowLite.checkRuntime(options == null ? null : options.getRuntime());
    return new InterpreterImpl(
        byteBuffer, options == null ? new InterpreterImpl.Options() : new InterpreterImpl.Options(options));
  }

  void run(Object input, Object output);

  void runForMultipleInputsOutputs(Object[] inputs, Map<Integer, Object> outputs);

  void allocateTensors();

  void resizeInput(int idx, int[] dims);

  void resizeInput(int idx, int[] dims, boolean strict);

  int getInputTensorCount();

  int getInputIndex(String opName);

  Tensor getInputTensor(int inputIndex);

  int getOutputTensorCount();

  int getOutputIndex(String opName);

  Tensor getOutputTensor(int outputIndex);

  Long getLastNativeInferenceDurationNanoseconds();

  @Override
  void close();
}
