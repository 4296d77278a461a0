package org.tensorflow.lite;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Host double of TensorFlow Lite 2.16.1's package-private {@code InterpreterImpl}: the non-experimental
 * methods, each failing with the real IllegalStateException once the interpreter is closed.
 */
class InterpreterImpl implements InterpreterApi {

  /** Adds the experimental fields that Interpreter.Options sets. */
  static class Options extends InterpreterApi.Options {
    public Options() {}

    public Options(InterpreterApi.Options options) {
      super(options);
    }

    public Options(Options other) {
      super(other);
      allowFp16PrecisionForFp32 = other.allowFp16PrecisionForFp32;
      allowBufferHandleOutput = other.allowBufferHandleOutput;
    }

    Boolean allowFp16PrecisionForFp32;
    Boolean allowBufferHandleOutput;
  }

  InterpreterImpl(File modelFile, Options options) {
    wrapper = HostInterpreter.fromFile(modelFile.getAbsolutePath(), options);
  }

  InterpreterImpl(ByteBuffer byteBuffer, Options options) {
    wrapper = HostInterpreter.fromBuffer(byteBuffer, options);
  }

  InterpreterImpl(HostInterpreter wrapper) {
    this.wrapper = wrapper;
  }

  /** Mirrors real: one input at 0, one output at 0, through runForMultipleInputsOutputs. */
  @Override
  public void run(Object input, Object output) {
    Object[] inputs = {input};
    Map<Integer, Object> outputs = new HashMap<>();
    outputs.put(0, output);
    runForMultipleInputsOutputs(inputs, outputs);
  }

  @Override
  public void runForMultipleInputsOutputs(Object[] inputs, Map<Integer, Object> outputs) {
    checkNotClosed();
    wrapper.run(inputs, outputs);
  }

  @Override
  public void allocateTensors() {
    checkNotClosed();
    wrapper.allocateTensors();
  }

  @Override
  public void resizeInput(int idx, int[] dims) {
    checkNotClosed();
    wrapper.resizeInput(idx, dims, false);
  }

  @Override
  public void resizeInput(int idx, int[] dims, boolean strict) {
    checkNotClosed();
    wrapper.resizeInput(idx, dims, strict);
  }

  @Override
  public int getInputTensorCount() {
    checkNotClosed();
    return wrapper.getInputTensorCount();
  }

  @Override
  public int getInputIndex(String opName) {
    checkNotClosed();
    return wrapper.getInputIndex(opName);
  }

  @Override
  public Tensor getInputTensor(int inputIndex) {
    checkNotClosed();
    return wrapper.getInputTensor(inputIndex);
  }

  @Override
  public int getOutputTensorCount() {
    checkNotClosed();
    return wrapper.getOutputTensorCount();
  }

  @Override
  public int getOutputIndex(String opName) {
    checkNotClosed();
    return wrapper.getOutputIndex(opName);
  }

  @Override
  public Tensor getOutputTensor(int outputIndex) {
    checkNotClosed();
    return wrapper.getOutputTensor(outputIndex);
  }

  @Override
  public Long getLastNativeInferenceDurationNanoseconds() {
    checkNotClosed();
    return wrapper.getLastNativeInferenceDurationNanoseconds();
  }

  /** Mirrors real: idempotent; ends the bridge process. */
  @Override
  public void close() {
    if (wrapper != null) {
      wrapper.close();
      wrapper = null;
    }
  }

  /** Mirrors real: an interpreter nobody closed is closed when collected (here: its bridge ends). */
  @SuppressWarnings("deprecation")
  @Override
  protected void finalize() throws Throwable {
    try {
      close();
    } finally {
      super.finalize();
    }
  }

  /** Mirrors real: every call on a closed interpreter is this IllegalStateException. */
  void checkNotClosed() {
    if (wrapper == null) {
      throw new IllegalStateException("Internal error: The Interpreter has already been closed.");
    }
  }

  HostInterpreter wrapper;
}
