package org.tensorflow.lite;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * Host double of TensorFlow Lite 2.16.1's {@code Interpreter} (public final, extends the package-private
 * InterpreterImpl, implements InterpreterApi): the same constructors, options and methods, backed by
 * real TFLite numerics from LiteRT.js in a bridge process (see HostInterpreter, LiteRtBridge). One
 * bridge process per interpreter, from the constructor to close().
 */
public final class Interpreter extends InterpreterImpl implements InterpreterApi {

  /** Options whose setters return Interpreter.Options, as real (they override the base setters). */
  public static class Options extends InterpreterImpl.Options {
    public Options() {}

    public Options(InterpreterApi.Options options) {
      super(options);
    }

    Options(InterpreterImpl.Options options) {
      super(options);
    }

    @Override
    public Options setNumThreads(int numThreads) {
      super.setNumThreads(numThreads);
      return this;
    }

    @Override
    public Options setUseNNAPI(boolean useNNAPI) {
      super.setUseNNAPI(useNNAPI);
      return this;
    }

    /** Accepted and recorded; LiteRT.js computes float32 in float32 regardless. */
    @Deprecated
    public Options setAllowFp16PrecisionForFp32(boolean allow) {
      this.allowFp16PrecisionForFp32 = allow;
      return this;
    }

    @Override
    public Options addDelegate(Delegate delegate) {
      super.addDelegate(delegate);
      return this;
    }

    @Override
    public Options addDelegateFactory(DelegateFactory delegateFactory) {
      super.addDelegateFactory(delegateFactory);
      return this;
    }

    /** Accepted and recorded; without delegates there are no buffer handles on the host double. */
    public Options setAllowBufferHandleOutput(boolean allow) {
      this.allowBufferHandleOutput = allow;
      return this;
    }

    @Override
    public Options setCancellable(boolean allow) {
      super.setCancellable(allow);
      return this;
    }

    /** Accepted; LiteRT.js's wasm CPU path always uses XNNPACK (see InterpreterApi.Options). */
    @Override
    public Options setUseXNNPACK(boolean useXNNPACK) {
      super.setUseXNNPACK(useXNNPACK);
      return this;
    }

    @Override
    public Options setRuntime(InterpreterApi.Options.TfLiteRuntime runtime) {
      super.setRuntime(runtime);
      return this;
    }
  }

  /** @throws IllegalArgumentException if the file is not a TFLite model (or its ops cannot be resolved). */
  public Interpreter(File modelFile) {
    this(modelFile, /* options= */ null);
  }

  public Interpreter(File modelFile, Options options) {
    this(HostInterpreter.fromFile(modelFile.getAbsolutePath(), options));
  }

  public Interpreter(ByteBuffer byteBuffer) {
    this(byteBuffer, /* options= */ null);
  }

  public Interpreter(ByteBuffer byteBuffer, Options options) {
    this(HostInterpreter.fromBuffer(byteBuffer, options));
  }

  private Interpreter(HostInterpreter wrapper) {
    super(wrapper);
    signatureKeyList = getSignatureKeys();
  }

  /**
   * Mirrors real: a null key stands for the only signature of a one-signature model; the inputs'
   * checks, then the outputs', then the run (IllegalArgumentException for an unknown key or name).
   */
  public void runSignature(Map<String, Object> inputs, Map<String, Object> outputs, String signatureKey) {
    checkNotClosed();
    wrapper.runSignature(inputs, outputs, defaultKey(signatureKey));
  }

  public void runSignature(Map<String, Object> inputs, Map<String, Object> outputs) {
    checkNotClosed();
    runSignature(inputs, outputs, null);
  }

  public Tensor getInputTensorFromSignature(String inputName, String signatureKey) {
    checkNotClosed();
    return wrapper.getInputTensor(inputName, defaultKey(signatureKey));
  }

  /** The model's SignatureDef keys in file order; empty for a model without any. */
  public String[] getSignatureKeys() {
    checkNotClosed();
    return wrapper.getSignatureKeys();
  }

  /** Mirrors real: the names sorted (TFLite keeps them in a std::map), not in the file's order. */
  public String[] getSignatureInputs(String signatureKey) {
    checkNotClosed();
    return wrapper.getSignatureInputs(signatureKey);
  }

  public String[] getSignatureOutputs(String signatureKey) {
    checkNotClosed();
    return wrapper.getSignatureOutputs(signatureKey);
  }

  public Tensor getOutputTensorFromSignature(String outputName, String signatureKey) {
    checkNotClosed();
    return wrapper.getOutputTensor(outputName, defaultKey(signatureKey));
  }

  public void resetVariableTensors() {
    checkNotClosed();
    wrapper.resetVariableTensors();
  }

  /** Mirrors real: IllegalStateException unless the options made the interpreter cancellable. */
  public void setCancelled(boolean cancelled) {
    wrapper.setCancelled(cancelled);
  }

  /** Mirrors real: null means the only signature, and is an error when there is not exactly one. */
  private String defaultKey(String signatureKey) {
    if (signatureKey == null && signatureKeyList.length == 1) return signatureKeyList[0];
    if (signatureKey == null) {
      throw new IllegalArgumentException(
          "Input error: SignatureDef signatureKey should not be null. null is only allowed if the model has a"
              + " single Signature. Available Signatures: "
              + Arrays.toString(signatureKeyList));
    }
    return signatureKey;
  }

  private final String[] signatureKeyList;
}
