package org.tensorflow.lite;

import java.nio.ByteBuffer;

/**
 * Host double of TensorFlow Lite 2.16.1's {@code Tensor}: an interface (TensorImpl implements it), with
 * the nested {@link QuantizationParams} class.
 */
public interface Tensor {

  /** Scale and zero point of a per-tensor quantized tensor; both 0 for an unquantized one. */
  class QuantizationParams {
    private final float scale;
    private final int zeroPoint;

    public QuantizationParams(final float scale, final int zeroPoint) {
      this.scale = scale;
      this.zeroPoint = zeroPoint;
    }

    public float getScale() {
      return scale;
    }

    public int getZeroPoint() {
      return zeroPoint;
    }
  }

  DataType dataType();

  int numDimensions();

  int numBytes();

  int numElements();

  int[] shape();

  int[] shapeSignature();

  int index();

  String name();

  QuantizationParams quantizationParams();

  ByteBuffer asReadOnlyBuffer();
}
