package org.tensorflow.lite.nnapi;

import org.tensorflow.lite.Delegate;
import org.tensorflow.lite.TensorFlowLite;

/**
 * Host double of TensorFlow Lite 2.16.1's {@code NnApiDelegate} (Delegate and AutoCloseable). It can be
 * made and closed; an Interpreter given one fails in its constructor with "Internal error: Failed to apply
 * delegate: ...", since there is no NNAPI on the host.
 */
public class NnApiDelegate implements Delegate, AutoCloseable {

  /** NNAPI options: recorded only. */
  public static final class Options {
    public Options() {}

    public static final int EXECUTION_PREFERENCE_UNDEFINED = -1;
    public static final int EXECUTION_PREFERENCE_LOW_POWER = 0;
    public static final int EXECUTION_PREFERENCE_FAST_SINGLE_ANSWER = 1;
    public static final int EXECUTION_PREFERENCE_SUSTAINED_SPEED = 2;

    public Options setExecutionPreference(int preference) {
      this.executionPreference = preference;
      return this;
    }

    public int getExecutionPreference() {
      return executionPreference;
    }

    public Options setAcceleratorName(String name) {
      this.acceleratorName = name;
      return this;
    }

    public String getAcceleratorName() {
      return acceleratorName;
    }

    public Options setCacheDir(String cacheDir) {
      this.cacheDir = cacheDir;
      return this;
    }

    public String getCacheDir() {
      return cacheDir;
    }

    public Options setModelToken(String modelToken) {
      this.modelToken = modelToken;
      return this;
    }

    public String getModelToken() {
      return modelToken;
    }

    public Options setMaxNumberOfDelegatedPartitions(int limit) {
      this.maxDelegatedPartitions = limit;
      return this;
    }

    public int getMaxNumberOfDelegatedPartitions() {
      return maxDelegatedPartitions == null ? -1 : maxDelegatedPartitions;
    }

    public Options setUseNnapiCpu(boolean enable) {
      this.useNnapiCpu = enable;
      return this;
    }

    public Boolean getUseNnapiCpu() {
      return useNnapiCpu;
    }

    public Options setAllowFp16(boolean enable) {
      this.allowFp16 = enable;
      return this;
    }

    public boolean getAllowFp16() {
      return allowFp16 != null && allowFp16;
    }

    public Options setNnApiSupportLibraryHandle(long handle) {
      this.nnApiSupportLibraryHandle = handle;
      return this;
    }

    public long getNnApiSupportLibraryHandle() {
      return nnApiSupportLibraryHandle;
    }

    private int executionPreference = EXECUTION_PREFERENCE_UNDEFINED;
    private String acceleratorName = null;
    private String cacheDir = null;
    private String modelToken = null;
    private Integer maxDelegatedPartitions = null;
    private Boolean useNnapiCpu = null;
    private Boolean allowFp16 = null;
    private long nnApiSupportLibraryHandle = 0;
  }

  public NnApiDelegate(Options options) {
    // Mirrors real: making the delegate loads the runtime (UnsatisfiedLinkError without it).
    TensorFlowLite.init();
  }

  public NnApiDelegate() {
    this(new Options());
  }

  /** Mirrors real: no interpreter ever initialised this delegate, so there is no handle to give. */
  @Override
  public long getNativeHandle() {
    throw new IllegalStateException("Should not access delegate before interpreter has been constructed.");
  }

  @Override
  public void close() {}

  /** Mirrors real: 0 for a delegate no interpreter initialised. */
  public int getNnapiErrno() {
    return 0;
  }

  public boolean hasErrors() {
    return getNnapiErrno() != 0;
  }
}
