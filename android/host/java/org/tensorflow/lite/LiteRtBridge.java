package org.tensorflow.lite;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * One LiteRT.js bridge process (packages/runtime-android/simulator/litert-bridge.ts): JSON lines on its
 * stdin/stdout, stderr drained into a tail for error messages. The command is the JSON array in the
 * system property {@code bertparity.bridge}; the model path (or --version) is appended.
 */
final class LiteRtBridge implements AutoCloseable {
  static final String PROPERTY = "bertparity.bridge";
  private static final int TAIL_CHARS = 8192;
  private static final Set<LiteRtBridge> LIVE = ConcurrentHashMap.newKeySet();

  static {
    // No bridge outlives the JVM, whatever the caller forgot to close.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (LiteRtBridge b : LIVE) b.process.destroyForcibly();
                },
                "litert-bridge-reaper"));
  }

  /**
   * The bridge command, or the UnsatisfiedLinkError real TFLite throws when its native library is
   * missing: on the host the bridge is the native part.
   */
  static List<String> command() {
    String raw = System.getProperty(PROPERTY);
    String problem;
    if (raw == null || raw.trim().isEmpty()) {
      problem = "the system property " + PROPERTY + " (a JSON array: the LiteRT.js bridge command) is not set";
    } else {
      try {
        JSONArray a = new JSONArray(raw);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.length(); i++) out.add(a.getString(i));
        if (!out.isEmpty()) return out;
        problem = "the system property " + PROPERTY + " is an empty array";
      } catch (JSONException e) {
        problem = "the system property " + PROPERTY + " is not a JSON array of strings: " + e.getMessage();
      }
    }
    throw new UnsatisfiedLinkError(
        "Failed to load native TensorFlow Lite methods. Check that the correct native libraries are present,"
            + " and, if using a custom native library, have been properly loaded via System.loadLibrary():\n  "
            + "TFLite host double: "
            + problem);
  }

  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final StringBuilder tail = new StringBuilder();
  private final Thread drain;
  private final String what;

  private LiteRtBridge(Process process, String what) {
    this.process = process;
    this.what = what;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.drain = new Thread(() -> drain(process.getErrorStream()), "litert-bridge-stderr");
    this.drain.setDaemon(true);
    this.drain.start();
  }

  /** Starts a bridge for `arg` (a model path, or --version); `what` names it in error messages. */
  static LiteRtBridge start(String arg, String what) {
    List<String> cmd = new ArrayList<>(command());
    cmd.add(arg);
    Process p;
    try {
      p = new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      throw new IllegalStateException("TFLite host double: cannot start the LiteRT.js bridge " + cmd + ": " + e.getMessage(), e);
    }
    LiteRtBridge b = new LiteRtBridge(p, what);
    LIVE.add(b);
    return b;
  }

  private void drain(InputStream err) {
    boolean echo = Boolean.getBoolean(PROPERTY + ".echoStderr");
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = err.read(buf)) > 0; ) {
        String s = new String(buf, 0, n, StandardCharsets.UTF_8);
        if (echo) System.err.print(s);
        synchronized (tail) {
          tail.append(s);
          if (tail.length() > TAIL_CHARS) tail.delete(0, tail.length() - TAIL_CHARS);
        }
      }
    } catch (IOException e) {
      // The process is gone; what it wrote is in the tail.
    }
  }

  /** The next line the bridge prints, as JSON; a bridge that died instead is an IllegalStateException. */
  synchronized JSONObject read() {
    String line;
    try {
      line = out.readLine();
    } catch (IOException e) {
      throw died("while it was answering: " + e.getMessage());
    }
    if (line == null) throw died("before answering");
    try {
      return new JSONObject(line);
    } catch (JSONException e) {
      throw new IllegalStateException(
          "TFLite host double: the LiteRT.js bridge for " + what + " printed a line that is not JSON: " + line);
    }
  }

  synchronized JSONObject request(JSONObject message) {
    try {
      in.write(message.toString());
      in.write('\n');
      in.flush();
    } catch (IOException e) {
      throw died("when sent a request (" + e.getMessage() + ")");
    }
    return read();
  }

  private IllegalStateException died(String when) {
    String code;
    try {
      code = process.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = "unknown";
    }
    try {
      drain.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    close();
    return new IllegalStateException(
        "TFLite host double: the LiteRT.js bridge for " + what + " exited (" + code + ") " + when + "; stderr: " + stderrTail());
  }

  String stderrTail() {
    synchronized (tail) {
      return tail.toString().trim();
    }
  }

  /** EOF on its stdin ends the bridge; one that does not end in time is killed. */
  @Override
  public void close() {
    LIVE.remove(this);
    try {
      in.close();
    } catch (IOException e) {
      // Already gone.
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.SECONDS)) process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
