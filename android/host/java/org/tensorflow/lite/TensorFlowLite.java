package org.tensorflow.lite;

import org.json.JSONObject;

/**
 * Host double of TensorFlow Lite 2.16.1's {@code TensorFlowLite}. The "native library" is the LiteRT.js
 * bridge named by the system property {@code bertparity.bridge}; without it, init() throws the
 * UnsatisfiedLinkError real TFLite throws when its native library is missing.
 */
public final class TensorFlowLite {
  private static volatile String runtimeVersion;

  private TensorFlowLite() {}

  /** @deprecated as real: prefer runtimeVersion() or schemaVersion(). */
  @Deprecated
  public static String version() {
    return schemaVersion();
  }

  /** The bridge's LiteRT.js version with " (host double)", asked once from a bridge started with --version. */
  public static String runtimeVersion() {
    return runtimeVersion(null);
  }

  public static String runtimeVersion(InterpreterApi.Options.TfLiteRuntime runtime) {
    checkRuntime(runtime);
    init();
    String v = runtimeVersion;
    if (v == null) {
      try (LiteRtBridge bridge = LiteRtBridge.start("--version", "--version")) {
        JSONObject reply = bridge.read();
        if (!reply.optBoolean("ok", false)) {
          throw new IllegalStateException(
              "TFLite host double: the LiteRT.js bridge gave no version: " + reply.optString("error", reply.toString()));
        }
        v = reply.optString("version", "unknown") + " (host double)";
      }
      runtimeVersion = v;
    }
    return v;
  }

  /** The flatbuffer schema version TFLite reads ("3", the TFL3 schema). */
  public static String schemaVersion() {
    return schemaVersion(null);
  }

  public static String schemaVersion(InterpreterApi.Options.TfLiteRuntime runtime) {
    checkRuntime(runtime);
    init();
    return "3";
  }

  /** Mirrors real: UnsatisfiedLinkError when the runtime cannot be loaded (here: no bridge command). */
  public static void init() {
    LiteRtBridge.command();
  }

  /**
   * The host double has only an application runtime; asking for the system one (Google Play services)
   * fails with an IllegalStateException as it does on a device without it (the text is the double's).
   */
  static void checkRuntime(InterpreterApi.Options.TfLiteRuntime runtime) {
    if (runtime == InterpreterApi.Options.TfLiteRuntime.FROM_SYSTEM_ONLY) {
      throw new IllegalStateException(
          "TFLite host double: there is no system (Google Play services) TensorFlow Lite runtime here; use"
              + " TfLiteRuntime.FROM_APPLICATION_ONLY or PREFER_SYSTEM_OVER_APPLICATION");
    }
  }
}
