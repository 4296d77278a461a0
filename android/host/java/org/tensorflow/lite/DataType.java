package org.tensorflow.lite;

/**
 * Host double of TensorFlow Lite 2.16.1's {@code DataType}: the same constants, C enum values and
 * {@link #byteSize()}. The element types the Java API knows; others (float16, ...) have no constant,
 * as in the real API.
 */
public enum DataType {
  FLOAT32(1),
  INT32(2),
  UINT8(3),
  INT64(4),
  STRING(5),
  BOOL(6),
  INT16(7),
  INT8(9);

  private final int value;

  DataType(int value) {
    this.value = value;
  }

  /** Bytes of one element, or -1 where the size is not fixed (as real: BOOL and STRING answer -1). */
  public int byteSize() {
    switch (this) {
      case FLOAT32:
      case INT32:
        return 4;
      case INT16:
        return 2;
      case INT8:
      case UINT8:
        return 1;
      case INT64:
        return 8;
      case BOOL:
      case STRING:
        return -1;
    }
    throw new IllegalArgumentException("DataType error: DataType " + this + " is not supported yet");
  }

  /** The TfLiteType value (C API) of this type. */
  int c() {
    return value;
  }

  /** Mirrors DataTypeUtils.fromC: an unknown C type is an IllegalArgumentException with this text. */
  static DataType fromC(int c) {
    for (DataType t : values()) {
      if (t.value == c) return t;
    }
    throw new IllegalArgumentException("DataType error: DataType " + c + " is not recognized in Java.");
  }

  /** Mirrors DataTypeUtils.toStringName: INT8 and UINT8 share "byte", which the type check relies on. */
  String toStringName() {
    switch (this) {
      case FLOAT32:
        return "float";
      case INT32:
        return "int";
      case INT16:
        return "short";
      case INT8:
      case UINT8:
        return "byte";
      case INT64:
        return "long";
      case BOOL:
        return "bool";
      case STRING:
        return "string";
    }
    throw new IllegalArgumentException("DataType error: DataType " + this + " is not supported yet");
  }
}
