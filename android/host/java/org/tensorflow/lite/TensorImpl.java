package org.tensorflow.lite;

import java.lang.reflect.Array;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;

/**
 * The host double's tensor: a view of one {@link HostInterpreter.Slot} (the tensor's bytes, which the
 * LiteRT.js bridge reads before a run and fills after it), with the checks and copies of the real
 * TensorImpl of TensorFlow Lite 2.16.1. Bytes are little-endian, the order of every host it runs on.
 */
final class TensorImpl implements Tensor {
  private final HostInterpreter.Slot slot;
  private final DataType dtype;
  private int[] shapeCopy;
  private final int[] shapeSignatureCopy;
  private final QuantizationParams quantizationParamsCopy;
  private boolean closed;

  TensorImpl(HostInterpreter.Slot slot) {
    this.slot = slot;
    // Mirrors the real constructor: a type the Java API has no DataType for fails here (DataTypeUtils.fromC).
    this.dtype = DataType.fromC(slot.cType);
    this.shapeCopy = slot.shape.clone();
    this.shapeSignatureCopy = slot.shapeSignature.clone();
    this.quantizationParamsCopy = new QuantizationParams(slot.scale, slot.zeroPoint);
  }

  /** Mirrors TensorImpl.close(): the native handle is gone, cached facts stay readable. */
  void close() {
    closed = true;
  }

  /** Mirrors the JNI's check of a zero tensor handle after close. */
  private HostInterpreter.Slot live() {
    if (closed) throw new IllegalArgumentException("Internal error: Invalid handle to TfLiteTensor.");
    return slot;
  }

  @Override
  public DataType dataType() {
    return dtype;
  }

  @Override
  public int numDimensions() {
    return shapeCopy.length;
  }

  @Override
  public int numBytes() {
    return live().data.length;
  }

  @Override
  public int numElements() {
    return computeNumElements(shapeCopy);
  }

  /** Mirrors real: the cached array itself, not a copy. */
  @Override
  public int[] shape() {
    return shapeCopy;
  }

  @Override
  public int[] shapeSignature() {
    return shapeSignatureCopy;
  }

  @Override
  public int index() {
    return live().index;
  }

  @Override
  public String name() {
    return live().name;
  }

  @Override
  public QuantizationParams quantizationParams() {
    return quantizationParamsCopy;
  }

  /** Mirrors real: a read-only native-order view of the tensor's memory, which later runs overwrite. */
  @Override
  public ByteBuffer asReadOnlyBuffer() {
    return buffer().asReadOnlyBuffer().order(ByteOrder.nativeOrder());
  }

  private ByteBuffer buffer() {
    return ByteBuffer.wrap(live().data).order(ByteOrder.nativeOrder());
  }

  /** Mirrors refreshShape(): the cached shape follows the tensor after a run that reshaped it. */
  void refreshShape() {
    this.shapeCopy = slot.shape.clone();
  }

  /** Mirrors TensorImpl.setTo: type check, exact byte-size (Buffer) or shape (array) check, then copy. */
  void setTo(Object src) {
    if (src == null) {
      throw new IllegalArgumentException(
          "Null inputs are allowed only if the Tensor is bound to a buffer handle.");
    }
    throwIfTypeIsIncompatible(src);
    throwIfSrcShapeIsIncompatible(src);
    if (src instanceof Buffer) {
      setTo((Buffer) src);
    } else if (src.getClass().isArray()) {
      if (dtype == DataType.STRING) throw unsupportedStrings();
      writeArray(src, buffer());
    } else {
      writeScalar(src);
    }
  }

  private void setTo(Buffer src) {
    boolean memcpy = src.isDirect() && order(src) == ByteOrder.nativeOrder();
    if (src instanceof ByteBuffer) {
      // Direct native-order buffers are memcpy'd from their address (index 0; position untouched);
      // others go through ByteBuffer.put, which reads from the position and advances it.
      if (memcpy) ((ByteBuffer) src).duplicate().clear().get(live().data);
      else buffer().put((ByteBuffer) src);
    } else if (src instanceof LongBuffer) {
      buffer().asLongBuffer().put(memcpy ? ((LongBuffer) src).duplicate().clear() : (LongBuffer) src);
    } else if (src instanceof FloatBuffer) {
      buffer().asFloatBuffer().put(memcpy ? ((FloatBuffer) src).duplicate().clear() : (FloatBuffer) src);
    } else if (src instanceof IntBuffer) {
      buffer().asIntBuffer().put(memcpy ? ((IntBuffer) src).duplicate().clear() : (IntBuffer) src);
    } else if (src instanceof ShortBuffer) {
      buffer().asShortBuffer().put(memcpy ? ((ShortBuffer) src).duplicate().clear() : (ShortBuffer) src);
    } else {
      throw new IllegalArgumentException("Unexpected input buffer type: " + src);
    }
  }

  /**
   * Mirrors TensorImpl.copyTo: a Buffer must hold at least the tensor's bytes and receives them at its
   * position, which advances (ByteBuffer.put); an array must have the tensor's shape exactly.
   */
  void copyTo(Object dst) {
    if (dst == null) {
      throw new IllegalArgumentException(
          "Null outputs are allowed only if the Tensor is bound to a buffer handle.");
    }
    throwIfTypeIsIncompatible(dst);
    throwIfDstShapeIsIncompatible(dst);
    if (dst instanceof ByteBuffer) {
      ((ByteBuffer) dst).put(buffer());
    } else if (dst instanceof FloatBuffer) {
      ((FloatBuffer) dst).put(buffer().asFloatBuffer());
    } else if (dst instanceof LongBuffer) {
      ((LongBuffer) dst).put(buffer().asLongBuffer());
    } else if (dst instanceof IntBuffer) {
      ((IntBuffer) dst).put(buffer().asIntBuffer());
    } else if (dst instanceof ShortBuffer) {
      ((ShortBuffer) dst).put(buffer().asShortBuffer());
    } else if (dst instanceof Buffer) {
      throw new IllegalArgumentException("Unexpected output buffer type: " + dst);
    } else {
      if (shapeCopy.length == 0) {
        throw new IllegalArgumentException("Internal error: Cannot copy empty/scalar Tensors.");
      }
      if (dtype == DataType.STRING) throw unsupportedStrings();
      readArray(buffer(), dst);
    }
  }

  /** Mirrors getInputShapeIfDifferent: Buffers never resize; an array of another shape asks for one. */
  int[] getInputShapeIfDifferent(Object input) {
    if (input == null || input instanceof Buffer) return null;
    throwIfTypeIsIncompatible(input);
    int[] inputShape = computeShapeOf(input);
    return Arrays.equals(shapeCopy, inputShape) ? null : inputShape;
  }

  /** Mirrors dataTypeOf: the element type a Java object carries (boxed scalars, typed Buffers, arrays). */
  DataType dataTypeOf(Object o) {
    Class<?> c = o.getClass();
    if (c.isArray()) {
      while (c.isArray()) c = c.getComponentType();
      if (float.class.equals(c)) return DataType.FLOAT32;
      if (int.class.equals(c)) return DataType.INT32;
      if (short.class.equals(c)) return DataType.INT16;
      if (byte.class.equals(c)) return dtype == DataType.STRING ? DataType.STRING : DataType.UINT8;
      if (long.class.equals(c)) return DataType.INT64;
      if (boolean.class.equals(c)) return DataType.BOOL;
      if (String.class.equals(c)) return DataType.STRING;
    } else {
      if (Float.class.equals(c) || o instanceof FloatBuffer) return DataType.FLOAT32;
      if (Integer.class.equals(c) || o instanceof IntBuffer) return DataType.INT32;
      if (Short.class.equals(c) || o instanceof ShortBuffer) return DataType.INT16;
      if (Byte.class.equals(c)) return DataType.UINT8;
      if (Long.class.equals(c) || o instanceof LongBuffer) return DataType.INT64;
      if (Boolean.class.equals(c)) return DataType.BOOL;
      if (String.class.equals(c)) return DataType.STRING;
    }
    throw new IllegalArgumentException("DataType error: cannot resolve DataType of " + o.getClass().getName());
  }

  private void throwIfTypeIsIncompatible(Object o) {
    // Mirrors real: a ByteBuffer may carry any element type.
    if (o instanceof ByteBuffer) return;
    DataType oType = dataTypeOf(o);
    if (oType != dtype && !oType.toStringName().equals(dtype.toStringName())) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot convert between a TensorFlowLite tensor with type %s and a Java object of type %s"
                  + " (which is compatible with the TensorFlowLite type %s).",
              dtype, o.getClass().getName(), oType));
    }
  }

  private void throwIfSrcShapeIsIncompatible(Object src) {
    if (src instanceof Buffer) {
      Buffer srcBuffer = (Buffer) src;
      int bytes = numBytes();
      // Mirrors real: the Buffer's capacity (not its remaining bytes) must equal the tensor's bytes.
      int srcBytes = src instanceof ByteBuffer ? srcBuffer.capacity() : srcBuffer.capacity() * dtype.byteSize();
      if (bytes != srcBytes) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot copy to a TensorFlowLite tensor (%s) with %d bytes from a Java Buffer with %d bytes.",
                name(), bytes, srcBytes));
      }
      return;
    }
    int[] srcShape = computeShapeOf(src);
    if (!Arrays.equals(srcShape, shapeCopy)) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot copy to a TensorFlowLite tensor (%s) with shape %s from a Java object with shape %s.",
              name(), Arrays.toString(shapeCopy), Arrays.toString(srcShape)));
    }
  }

  private void throwIfDstShapeIsIncompatible(Object dst) {
    if (dst instanceof Buffer) {
      Buffer dstBuffer = (Buffer) dst;
      int bytes = numBytes();
      // Mirrors real: an output Buffer may be larger than the tensor, not smaller.
      int dstBytes = dst instanceof ByteBuffer ? dstBuffer.capacity() : dstBuffer.capacity() * dtype.byteSize();
      if (bytes > dstBytes) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot copy from a TensorFlowLite tensor (%s) with %d bytes to a Java Buffer with %d bytes.",
                name(), bytes, dstBytes));
      }
      return;
    }
    int[] dstShape = computeShapeOf(dst);
    if (!Arrays.equals(dstShape, shapeCopy)) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot copy from a TensorFlowLite tensor (%s) with shape %s to a Java object with shape %s.",
              name(), Arrays.toString(shapeCopy), Arrays.toString(dstShape)));
    }
  }

  private int[] computeShapeOf(Object o) {
    int size = computeNumDimensions(o);
    if (dtype == DataType.STRING) {
      Class<?> c = o.getClass();
      if (c.isArray()) {
        while (c.isArray()) c = c.getComponentType();
        // Mirrors real: strings given as byte arrays use the last dimension for the bytes.
        if (byte.class.equals(c)) --size;
      }
    }
    int[] dimensions = new int[size];
    fillShape(o, 0, dimensions);
    return dimensions;
  }

  static int computeNumElements(int[] shape) {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  static int computeNumDimensions(Object o) {
    if (o == null || !o.getClass().isArray()) return 0;
    if (Array.getLength(o) == 0) throw new IllegalArgumentException("Array lengths cannot be 0.");
    return 1 + computeNumDimensions(Array.get(o, 0));
  }

  static void fillShape(Object o, int dim, int[] shape) {
    if (shape == null || dim == shape.length) return;
    final int len = Array.getLength(o);
    if (shape[dim] == 0) {
      shape[dim] = len;
    } else if (shape[dim] != len) {
      throw new IllegalArgumentException(
          String.format("Mismatched lengths (%d and %d) in dimension %d", shape[dim], len, dim));
    }
    for (int i = 0; i < len && dim + 1 < shape.length; ++i) fillShape(Array.get(o, i), dim + 1, shape);
  }

  /** Writes a (multi-dimensional) primitive array in row-major order, as the JNI does; advances dst. */
  private static void writeArray(Object src, ByteBuffer dst) {
    if (src instanceof float[]) for (float v : (float[]) src) dst.putFloat(v);
    else if (src instanceof int[]) for (int v : (int[]) src) dst.putInt(v);
    else if (src instanceof long[]) for (long v : (long[]) src) dst.putLong(v);
    else if (src instanceof short[]) for (short v : (short[]) src) dst.putShort(v);
    else if (src instanceof byte[]) dst.put((byte[]) src);
    else if (src instanceof boolean[]) for (boolean v : (boolean[]) src) dst.put((byte) (v ? 1 : 0));
    else for (int i = 0; i < Array.getLength(src); i++) writeArray(Array.get(src, i), dst);
  }

  /** Fills a (multi-dimensional) primitive array from the tensor's bytes; advances src. */
  private static void readArray(ByteBuffer src, Object dst) {
    if (dst instanceof float[]) {
      float[] a = (float[]) dst;
      for (int i = 0; i < a.length; i++) a[i] = src.getFloat();
    } else if (dst instanceof int[]) {
      int[] a = (int[]) dst;
      for (int i = 0; i < a.length; i++) a[i] = src.getInt();
    } else if (dst instanceof long[]) {
      long[] a = (long[]) dst;
      for (int i = 0; i < a.length; i++) a[i] = src.getLong();
    } else if (dst instanceof short[]) {
      short[] a = (short[]) dst;
      for (int i = 0; i < a.length; i++) a[i] = src.getShort();
    } else if (dst instanceof byte[]) {
      src.get((byte[]) dst);
    } else if (dst instanceof boolean[]) {
      boolean[] a = (boolean[]) dst;
      for (int i = 0; i < a.length; i++) a[i] = src.get() != 0;
    } else {
      for (int i = 0; i < Array.getLength(dst); i++) readArray(src, Array.get(dst, i));
    }
  }

  /** Mirrors the JNI's writeScalar: only a scalar tensor (or one whose first dimension is 1) takes one. */
  private void writeScalar(Object src) {
    if (shapeCopy.length != 0 && shapeCopy[0] != 1) {
      throw new IllegalArgumentException("Internal error: Cannot write Java scalar to non-scalar Tensor.");
    }
    ByteBuffer dst = buffer();
    if (src instanceof Float) dst.putFloat((Float) src);
    else if (src instanceof Integer) dst.putInt((Integer) src);
    else if (src instanceof Long) dst.putLong((Long) src);
    else if (src instanceof Short) dst.putShort((Short) src);
    else if (src instanceof Byte) dst.put((Byte) src);
    else if (src instanceof Boolean) dst.put((byte) ((Boolean) src ? 1 : 0));
    else throw unsupportedStrings();
  }

  private static IllegalArgumentException unsupportedStrings() {
    return new IllegalArgumentException(
        "string tensors are not supported by the TFLite host double (LiteRT.js feeds float32, int32 and uint8)");
  }

  private static ByteOrder order(Buffer b) {
    if (b instanceof ByteBuffer) return ((ByteBuffer) b).order();
    if (b instanceof FloatBuffer) return ((FloatBuffer) b).order();
    if (b instanceof IntBuffer) return ((IntBuffer) b).order();
    if (b instanceof LongBuffer) return ((LongBuffer) b).order();
    if (b instanceof ShortBuffer) return ((ShortBuffer) b).order();
    return ByteOrder.BIG_ENDIAN;
  }
}
