package org.tensorflow.lite;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.tensorflow.lite.nnapi.NnApiDelegate;

/**
 * The host double's NativeInterpreterWrapper: one model in one LiteRT.js bridge process, the bytes of its
 * tensors on the Java side, and the checks and error texts of TensorFlow Lite 2.16.1's wrapper and JNI
 * (tensorflow/lite/java/src/main/java/org/tensorflow/lite/NativeInterpreterWrapper.java,
 * NativeSignatureRunnerWrapper.java, src/main/native/nativeinterpreterwrapper_jni.cc). Where the real
 * runtime keeps tensor memory between runs (an input not fed again keeps its last value), so does this.
 */
final class HostInterpreter implements AutoCloseable {

  /** One tensor: its facts as the bridge described them, and its bytes (little-endian). */
  static final class Slot {
    final String name;
    final int index;
    final String dtype;
    final int cType;
    int[] shape;
    final int[] shapeSignature;
    final float scale;
    final int zeroPoint;
    byte[] data;

    Slot(JSONObject f, String nameKey) throws JSONException {
      name = f.getString(nameKey);
      index = f.getInt("tensorIndex");
      dtype = f.getString("dtype");
      cType = cType(dtype);
      shape = ints(f.getJSONArray("shape"));
      shapeSignature = f.has("shapeSignature") ? ints(f.getJSONArray("shapeSignature")) : shape.clone();
      JSONObject q = f.optJSONObject("quantization");
      scale = q == null ? 0f : (float) q.optDouble("scale", 0);
      zeroPoint = q == null ? 0 : q.optInt("zeroPoint", 0);
      data = new byte[byteCount(dtype, shape)];
    }

    JSONObject feed(Object name) throws JSONException {
      return new JSONObject()
          .put("name", name)
          .put("dtype", dtype)
          .put("shape", new JSONArray(toList(shape)))
          .put("data", Base64.getEncoder().encodeToString(data));
    }

    /** Takes the bytes (and shape) the bridge answered; the array is reused so read-only views follow. */
    void fill(JSONObject out) throws JSONException {
      shape = ints(out.getJSONArray("shape"));
      byte[] bytes = Base64.getDecoder().decode(out.getString("data"));
      if (bytes.length == data.length) System.arraycopy(bytes, 0, data, 0, bytes.length);
      else data = bytes;
    }
  }

  /** A SignatureDef: its ports by SignatureDef name, in the file's order. */
  static final class Signature {
    final String key;
    final int subgraph;
    final LinkedHashMap<String, Slot> inputs = new LinkedHashMap<>();
    final LinkedHashMap<String, Slot> outputs = new LinkedHashMap<>();
    final Map<String, TensorImpl> inputTensors = new HashMap<>();
    final Map<String, TensorImpl> outputTensors = new HashMap<>();

    Signature(String key, JSONObject s) throws JSONException {
      this.key = key;
      subgraph = s.getInt("subgraph");
      JSONArray ins = s.getJSONArray("inputs");
      for (int i = 0; i < ins.length(); i++) inputs.put(ins.getJSONObject(i).getString("name"), new Slot(ins.getJSONObject(i), "tensor"));
      JSONArray outs = s.getJSONArray("outputs");
      for (int i = 0; i < outs.length(); i++) outputs.put(outs.getJSONObject(i).getString("name"), new Slot(outs.getJSONObject(i), "tensor"));
    }

    /**
     * Mirrors the native SignatureRunner's input_names(): TFLite keeps a SignatureDef's ports in a
     * std::map (tensorflow/lite/internal/signature_def.h), so the names come sorted (bytewise), not in
     * the file's order.
     */
    static String[] sorted(Iterable<String> names) {
      List<String> out = new ArrayList<>();
      for (String n : names) out.add(n);
      out.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
      return out.toArray(new String[0]);
    }
  }

  private LiteRtBridge bridge;
  private final String modelPath;
  private final File temporaryModel;
  private final Slot[] inputSlots;
  private final Slot[] outputSlots;
  private final TensorImpl[] inputTensors;
  private final TensorImpl[] outputTensors;
  private final String[] signatureKeys;
  private final Map<String, Signature> signatures = new HashMap<>();
  private Map<String, Integer> inputsIndexes;
  private Map<String, Integer> outputsIndexes;
  private final List<Delegate> ownedDelegates = new ArrayList<>();
  private final boolean cancellable;
  private volatile boolean cancelled;
  private long inferenceDurationNanoseconds = -1;

  static HostInterpreter fromFile(String modelPath, InterpreterImpl.Options options) {
    return new HostInterpreter(modelPath, null, options);
  }

  /** Mirrors the real ByteBuffer check; the double hands LiteRT.js the bytes through a temporary file. */
  static HostInterpreter fromBuffer(ByteBuffer buffer, InterpreterImpl.Options options) {
    TensorFlowLite.init();
    if (buffer == null
        || (!(buffer instanceof MappedByteBuffer)
            && (!buffer.isDirect() || buffer.order() != ByteOrder.nativeOrder()))) {
      throw new IllegalArgumentException(
          "Model ByteBuffer should be either a MappedByteBuffer of the model file, or a direct "
              + "ByteBuffer using ByteOrder.nativeOrder() which contains bytes of model content.");
    }
    File file;
    try {
      file = Files.createTempFile("tflite-host-double-", ".tflite").toFile();
      file.deleteOnExit();
      // Like the JNI: the whole buffer from its start (address and capacity), whatever its position.
      byte[] bytes = new byte[buffer.capacity()];
      buffer.duplicate().clear().get(bytes);
      Files.write(file.toPath(), bytes);
    } catch (IOException e) {
      throw new IllegalStateException("TFLite host double: cannot write the model ByteBuffer to a file: " + e, e);
    }
    return new HostInterpreter(file.getAbsolutePath(), file, options);
  }

  private HostInterpreter(String modelPath, File temporaryModel, InterpreterImpl.Options options) {
    TensorFlowLite.init();
    if (options == null) options = new InterpreterImpl.Options();
    this.modelPath = modelPath;
    this.temporaryModel = temporaryModel;
    this.cancellable = options.isCancellable();
    bridge = LiteRtBridge.start(modelPath, modelPath);
    try {
      JSONObject d = bridge.read();
      boolean ok = d.optBoolean("ok", false);
      String stage = d.optString("stage", "model");
      String error = d.optString("error", "");
      // The constructor's steps, in the real order: model, interpreter (threads, ops), delegates, allocation.
      if (!ok && stage.equals("model")) {
        throw new IllegalArgumentException(
            temporaryModel != null
                ? "ByteBuffer is not a valid flatbuffer model"
                : "Contents of " + modelPath + " does not encode a valid TensorFlow Lite model: " + error);
      }
      if (options.getNumThreads() < -1) {
        // InterpreterBuilder's check of num_threads (text as TFLite's error reporter words it).
        throw new IllegalArgumentException(
            "Internal error: Cannot create interpreter: num_threads should be >=0 or just -1 to let TFLite"
                + " runtime set the value.");
      }
      if (!ok && stage.equals("interpreter")) {
        throw new IllegalArgumentException("Internal error: Cannot create interpreter: " + error);
      }
      applyDelegates(options);
      if (!ok) {
        // Real: allocateTensors at the end of the constructor (an unresolved custom op fails to prepare).
        throw new IllegalStateException("Internal error: Unexpected failure when preparing tensor allocations: " + error);
      }
      JSONArray ins = d.getJSONArray("inputs");
      JSONArray outs = d.getJSONArray("outputs");
      inputSlots = new Slot[ins.length()];
      outputSlots = new Slot[outs.length()];
      for (int i = 0; i < inputSlots.length; i++) inputSlots[i] = new Slot(ins.getJSONObject(i), "name");
      for (int i = 0; i < outputSlots.length; i++) outputSlots[i] = new Slot(outs.getJSONObject(i), "name");
      inputTensors = new TensorImpl[inputSlots.length];
      outputTensors = new TensorImpl[outputSlots.length];
      JSONObject sigs = d.getJSONObject("signatures");
      List<String> keys = new ArrayList<>();
      JSONArray order = d.optJSONArray("signatureKeys");
      if (order != null) {
        for (int i = 0; i < order.length(); i++) keys.add(order.getString(i));
      } else {
        for (Iterator<String> it = sigs.keys(); it.hasNext(); ) keys.add(it.next());
      }
      for (String key : keys) signatures.put(key, new Signature(key, sigs.getJSONObject(key)));
      signatureKeys = keys.toArray(new String[0]);
    } catch (RuntimeException | Error e) {
      discard();
      throw e;
    } catch (JSONException e) {
      discard();
      throw new IllegalStateException(
          "TFLite host double: the LiteRT.js bridge described " + modelPath + " in an unexpected form: " + e.getMessage(), e);
    }
  }

  /**
   * Mirrors addDelegates/createInterpreter: user delegates (checked against the runtime), factory
   * delegates, then NNAPI for setUseNNAPI(true). None can be applied on the host, where LiteRT.js runs
   * the model in wasm on the CPU (XNNPACK), so any delegate fails as a delegate the runtime rejects.
   */
  private void applyDelegates(InterpreterImpl.Options options) {
    List<Delegate> delegates = new ArrayList<>();
    for (Delegate delegate : options.getDelegates()) {
      if (options.getRuntime() != InterpreterApi.Options.TfLiteRuntime.FROM_APPLICATION_ONLY
          && !(delegate instanceof NnApiDelegate)) {
        throw new IllegalArgumentException(
            "Instantiated delegates (other than NnApiDelegate) are not allowed when using TF Lite from Google"
                + " Play Services. Please use InterpreterApi.Options.addDelegateFactory() with an appropriate"
                + " DelegateFactory instead.");
      }
      delegates.add(delegate);
    }
    for (DelegateFactory factory : options.getDelegateFactories()) {
      Delegate delegate = factory.create(RuntimeFlavor.APPLICATION);
      ownedDelegates.add(delegate);
      delegates.add(delegate);
    }
    if (options.getUseNNAPI()) {
      NnApiDelegate nnapi = new NnApiDelegate();
      ownedDelegates.add(nnapi);
      delegates.add(nnapi);
    }
    // XNNPACK on or off is accepted: LiteRT.js's wasm CPU path always runs XNNPACK.
    if (!delegates.isEmpty()) {
      Delegate first = delegates.get(0);
      String what = first.getClass().getName();
      if (what.equals("org.tensorflow.lite.gpu.GpuDelegate")) what = "the GPU delegate (GpuDelegate)";
      else if (first instanceof NnApiDelegate) what = "the NNAPI delegate (NnApiDelegate)";
      throw new IllegalArgumentException(
          "Internal error: Failed to apply delegate: "
              + what
              + " is not available on the TFLite host double (LiteRT.js runs the model in wasm on the CPU with"
              + " XNNPACK; there is no GPU or NNAPI here)");
    }
  }

  private void discard() {
    if (bridge != null) bridge.close();
    bridge = null;
    closeOwnedDelegates();
    if (temporaryModel != null) temporaryModel.delete();
  }

  private void closeOwnedDelegates() {
    for (Delegate d : ownedDelegates) d.close();
    ownedDelegates.clear();
  }

  /** Mirrors run(Object[], Map): resize check and feeds for every input first, invoke, then the outputs. */
  void run(Object[] inputs, Map<Integer, Object> outputs) {
    inferenceDurationNanoseconds = -1;
    if (inputs == null || inputs.length == 0) {
      throw new IllegalArgumentException("Input error: Inputs should not be null or empty.");
    }
    if (outputs == null) throw new IllegalArgumentException("Input error: Outputs should not be null.");
    for (int i = 0; i < inputs.length; ++i) {
      int[] newShape = getInputTensor(i).getInputShapeIfDifferent(inputs[i]);
      if (newShape != null) resizeInput(i, newShape, false);
    }
    for (int i = 0; i < inputs.length; ++i) getInputTensor(i).setTo(inputs[i]);
    long start = System.nanoTime();
    invoke(null, inputSlots, outputSlots);
    long duration = System.nanoTime() - start;
    for (int i = 0; i < outputTensors.length; i++) {
      if (outputTensors[i] != null) outputTensors[i].refreshShape();
    }
    for (Map.Entry<Integer, Object> output : outputs.entrySet()) {
      // Mirrors real: null output placeholders are allowed and ignored (their index is not checked).
      if (output.getValue() != null) getOutputTensor(output.getKey()).copyTo(output.getValue());
    }
    inferenceDurationNanoseconds = duration;
  }

  /**
   * Mirrors runSignature: a signature of the primary subgraph maps its names to input and output
   * indices and runs as run() does; one of another subgraph runs through its own tensors.
   */
  void runSignature(Map<String, Object> inputs, Map<String, Object> outputs, String signatureKey) {
    inferenceDurationNanoseconds = -1;
    if (inputs == null || inputs.isEmpty()) {
      throw new IllegalArgumentException("Input error: Inputs should not be null or empty.");
    }
    if (outputs == null) throw new IllegalArgumentException("Input error: Outputs should not be null.");
    Signature sig = signature(signatureKey);
    if (sig.subgraph == 0) {
      Object[] inputsList = new Object[inputs.size()];
      for (Map.Entry<String, Object> input : inputs.entrySet()) {
        inputsList[signatureInputIndex(sig, input.getKey())] = input.getValue();
      }
      Map<Integer, Object> outputsWithOutputIndex = new TreeMap<>();
      for (Map.Entry<String, Object> output : outputs.entrySet()) {
        outputsWithOutputIndex.put(signatureOutputIndex(sig, output.getKey()), output.getValue());
      }
      run(inputsList, outputsWithOutputIndex);
      return;
    }
    for (Map.Entry<String, Object> input : inputs.entrySet()) {
      if (signatureInputTensor(sig, input.getKey()).getInputShapeIfDifferent(input.getValue()) != null) {
        throw new IllegalArgumentException(
            String.format(
                "Tensor passed for input '%s' of signature '%s' has different shape than expected",
                input.getKey(), signatureKey));
      }
    }
    for (Map.Entry<String, Object> input : inputs.entrySet()) {
      signatureInputTensor(sig, input.getKey()).setTo(input.getValue());
    }
    long start = System.nanoTime();
    invoke(sig, sig.inputs.values().toArray(new Slot[0]), sig.outputs.values().toArray(new Slot[0]));
    long duration = System.nanoTime() - start;
    for (TensorImpl t : sig.outputTensors.values()) t.refreshShape();
    for (Map.Entry<String, Object> output : outputs.entrySet()) {
      if (output.getValue() != null) signatureOutputTensor(sig, output.getKey()).copyTo(output.getValue());
    }
    inferenceDurationNanoseconds = duration;
  }

  /**
   * One run in the bridge with every input's current bytes (as the real runtime reads its tensor memory)
   * and the outputs' bytes taken back; a failed run is the IllegalArgumentException the JNI throws.
   */
  private void invoke(Signature sig, Slot[] ins, Slot[] outs) {
    if (cancelled) {
      throw new IllegalArgumentException(
          "Internal error: Failed to run on the given Interpreter: Client requested cancel during Invoke()");
    }
    LiteRtBridge b = liveBridge();
    try {
      JSONArray feeds = new JSONArray();
      List<String> names = sig == null ? null : new ArrayList<>(sig.inputs.keySet());
      for (int i = 0; i < ins.length; i++) feeds.put(ins[i].feed(sig == null ? (Object) i : names.get(i)));
      JSONObject reply =
          b.request(
              new JSONObject()
                  .put("op", "run")
                  .put("signature", sig == null ? JSONObject.NULL : sig.key)
                  .put("inputs", feeds));
      if (!reply.optBoolean("ok", false)) {
        throw new IllegalArgumentException(
            "Internal error: Failed to run on the given Interpreter: " + reply.optString("error", reply.toString()));
      }
      JSONArray got = reply.getJSONArray("outputs");
      for (int i = 0; i < got.length(); i++) {
        JSONObject o = got.getJSONObject(i);
        Slot slot = sig == null ? outs[o.getInt("index")] : sig.outputs.get(o.getString("name"));
        if (slot != null) slot.fill(o);
      }
    } catch (JSONException e) {
      throw new IllegalStateException("TFLite host double: unexpected reply from the LiteRT.js bridge: " + e.getMessage(), e);
    }
  }

  private LiteRtBridge liveBridge() {
    if (bridge == null) throw new IllegalArgumentException("Internal error: Invalid handle to Interpreter.");
    return bridge;
  }

  /**
   * Mirrors resizeInput: an index out of range and an unchanged shape behave as real; a real resize
   * cannot be done, since LiteRT.js runs the model with the shapes it was compiled for.
   */
  void resizeInput(int idx, int[] dims, boolean strict) {
    if (idx < 0 || idx >= inputSlots.length) {
      throw new IllegalArgumentException(
          String.format("Input error: Can not resize %d-th input for a model having %d inputs.", idx, inputSlots.length));
    }
    if (Arrays.equals(dims, inputSlots[idx].shape)) return;
    throw new IllegalArgumentException(
        String.format(
            "Internal error: Failed to resize %d-th input: the TFLite host double cannot resize inputs (LiteRT.js"
                + " runs the model with shape %s)",
            idx, Arrays.toString(inputSlots[idx].shape)));
  }

  /** Mirrors allocateTensors(): the tensors are allocated once the constructor returns. */
  void allocateTensors() {}

  int getInputTensorCount() {
    return inputSlots.length;
  }

  int getOutputTensorCount() {
    return outputSlots.length;
  }

  /** Mirrors getInputTensor(int): cached per index, IllegalArgumentException out of range. */
  TensorImpl getInputTensor(int index) {
    if (index < 0 || index >= inputTensors.length) {
      throw new IllegalArgumentException("Invalid input Tensor index: " + index);
    }
    if (inputTensors[index] == null) inputTensors[index] = new TensorImpl(inputSlots[index]);
    return inputTensors[index];
  }

  TensorImpl getOutputTensor(int index) {
    if (index < 0 || index >= outputTensors.length) {
      throw new IllegalArgumentException("Invalid output Tensor index: " + index);
    }
    if (outputTensors[index] == null) outputTensors[index] = new TensorImpl(outputSlots[index]);
    return outputTensors[index];
  }

  /** Mirrors getInputIndex(String): by tensor name, with the real message (a HashMap's toString). */
  int getInputIndex(String name) {
    if (inputsIndexes == null) {
      inputsIndexes = new HashMap<>();
      for (int i = 0; i < inputSlots.length; i++) inputsIndexes.put(inputSlots[i].name, i);
    }
    Integer index = inputsIndexes.get(name);
    if (index != null) return index;
    throw new IllegalArgumentException(
        String.format(
            "Input error: '%s' is not a valid name for any input. Names of inputs and their indexes are %s",
            name, inputsIndexes));
  }

  int getOutputIndex(String name) {
    if (outputsIndexes == null) {
      outputsIndexes = new HashMap<>();
      for (int i = 0; i < outputSlots.length; i++) outputsIndexes.put(outputSlots[i].name, i);
    }
    Integer index = outputsIndexes.get(name);
    if (index != null) return index;
    throw new IllegalArgumentException(
        String.format(
            "Input error: '%s' is not a valid name for any output. Names of outputs and their indexes are %s",
            name, outputsIndexes));
  }

  /** Mirrors getInputTensor(String, String): a null name first, then the signature, then the name. */
  TensorImpl getInputTensor(String inputName, String signatureKey) {
    if (inputName == null) throw new IllegalArgumentException("Invalid input tensor name provided (null)");
    Signature sig = signature(signatureKey);
    if (sig.subgraph == 0) return getInputTensor(signatureInputIndex(sig, inputName));
    return signatureInputTensor(sig, inputName);
  }

  TensorImpl getOutputTensor(String outputName, String signatureKey) {
    if (outputName == null) throw new IllegalArgumentException("Invalid output tensor name provided (null)");
    Signature sig = signature(signatureKey);
    if (sig.subgraph == 0) return getOutputTensor(signatureOutputIndex(sig, outputName));
    return signatureOutputTensor(sig, outputName);
  }

  /** Mirrors getSignatureKeys(): the model's SignatureDef keys in file order (empty without any). */
  String[] getSignatureKeys() {
    return signatureKeys.clone();
  }

  String[] getSignatureInputs(String signatureKey) {
    return Signature.sorted(signature(signatureKey).inputs.keySet());
  }

  String[] getSignatureOutputs(String signatureKey) {
    return Signature.sorted(signature(signatureKey).outputs.keySet());
  }

  /** Mirrors NativeSignatureRunnerWrapper's constructor: an unknown key is an IllegalArgumentException. */
  private Signature signature(String signatureKey) {
    Signature sig = signatureKey == null ? null : signatures.get(signatureKey);
    if (sig == null) throw new IllegalArgumentException("Input error: Signature " + signatureKey + " not found.");
    return sig;
  }

  /** Mirrors NativeSignatureRunnerWrapper.getInputIndex: the position of the name's tensor in the subgraph's inputs. */
  private int signatureInputIndex(Signature sig, String name) {
    Slot port = sig.inputs.get(name);
    for (int i = 0; port != null && i < inputSlots.length; i++) {
      if (inputSlots[i].index == port.index) return i;
    }
    throw new IllegalArgumentException("Input error: input " + name + " not found.");
  }

  private int signatureOutputIndex(Signature sig, String name) {
    Slot port = sig.outputs.get(name);
    for (int i = 0; port != null && i < outputSlots.length; i++) {
      if (outputSlots[i].index == port.index) return i;
    }
    throw new IllegalArgumentException("Input error: output " + name + " not found.");
  }

  private TensorImpl signatureInputTensor(Signature sig, String name) {
    Slot port = sig.inputs.get(name);
    if (port == null) throw new IllegalArgumentException("Input error: input " + name + " not found.");
    return sig.inputTensors.computeIfAbsent(name, n -> new TensorImpl(port));
  }

  private TensorImpl signatureOutputTensor(Signature sig, String name) {
    Slot port = sig.outputs.get(name);
    if (port == null) throw new IllegalArgumentException("Input error: output " + name + " not found.");
    return sig.outputTensors.computeIfAbsent(name, n -> new TensorImpl(port));
  }

  /** Mirrors getLastNativeInferenceDurationNanoseconds: null before a run and after a failed one. */
  Long getLastNativeInferenceDurationNanoseconds() {
    return inferenceDurationNanoseconds < 0 ? null : inferenceDurationNanoseconds;
  }

  /** Mirrors setCancelled: only an interpreter made cancellable has a cancellation flag. */
  void setCancelled(boolean value) {
    if (!cancellable) {
      throw new IllegalStateException(
          "Cannot cancel the inference. Have you called InterpreterApi.Options.setCancellable?");
    }
    cancelled = value;
  }

  /** The bridge keeps no variable tensors between runs (the BERT models here have none). */
  void resetVariableTensors() {}

  /** Mirrors close(): tensors lose their handles, the runtime goes, owned delegates are closed. */
  @Override
  public void close() {
    for (int i = 0; i < inputTensors.length; i++) {
      if (inputTensors[i] != null) inputTensors[i].close();
      inputTensors[i] = null;
    }
    for (int i = 0; i < outputTensors.length; i++) {
      if (outputTensors[i] != null) outputTensors[i].close();
      outputTensors[i] = null;
    }
    for (Signature sig : signatures.values()) {
      for (TensorImpl t : sig.inputTensors.values()) t.close();
      for (TensorImpl t : sig.outputTensors.values()) t.close();
      sig.inputTensors.clear();
      sig.outputTensors.clear();
    }
    inputsIndexes = null;
    outputsIndexes = null;
    discard();
  }

  /** TfLiteType (C API) values by the bridge's dtype names; 0 (kTfLiteNoType) for an unknown name. */
  static int cType(String dtype) {
    switch (dtype) {
      case "float32":
        return 1;
      case "int32":
        return 2;
      case "uint8":
        return 3;
      case "int64":
        return 4;
      case "string":
        return 5;
      case "bool":
        return 6;
      case "int16":
        return 7;
      case "complex64":
        return 8;
      case "int8":
        return 9;
      case "float16":
        return 10;
      case "float64":
        return 11;
      case "complex128":
        return 12;
      case "uint64":
        return 13;
      case "resource":
        return 14;
      case "variant":
        return 15;
      case "uint32":
        return 16;
      case "uint16":
        return 17;
      case "int4":
        return 18;
      case "bfloat16":
        return 19;
      default:
        return 0;
    }
  }

  /** tensor->bytes for a dense tensor of this type and shape (0 for strings and handles). */
  static int byteCount(String dtype, int[] shape) {
    long n = 1;
    for (int d : shape) n *= Math.max(d, 0);
    switch (dtype) {
      case "int4":
        return (int) ((n + 1) / 2);
      case "uint8":
      case "int8":
      case "bool":
        return (int) n;
      case "int16":
      case "uint16":
      case "float16":
      case "bfloat16":
        return (int) (2 * n);
      case "float32":
      case "int32":
      case "uint32":
        return (int) (4 * n);
      case "int64":
      case "uint64":
      case "float64":
      case "complex64":
        return (int) (8 * n);
      case "complex128":
        return (int) (16 * n);
      default:
        return 0;
    }
  }

  private static int[] ints(JSONArray a) throws JSONException {
    int[] out = new int[a.length()];
    for (int i = 0; i < out.length; i++) out[i] = a.getInt(i);
    return out;
  }

  private static List<Integer> toList(int[] a) {
    List<Integer> out = new ArrayList<>(a.length);
    for (int v : a) out.add(v);
    return out;
  }
}
