package bertparity.harness;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives an app's Java BERT tokenizer for bert-parity. Arguments: the tokenizer's class name, the vocab.txt path
 * and "true"/"false" for doLowerCase. Reads one JSON request per line from stdin, answers one JSON line each:
 *   {"id":"7","op":"tokenize","text":"..."}            -> {"id":"7","tokens":[...],"ids":[...]}
 *   {"id":"8","op":"encode","a":"..","b":null,"max":128} -> {"id":"8","tokens":[...],"input_ids":[...],...}
 *   a throwing tokenizer                                -> {"id":"7","error":"java.lang.X: ..","trace":[...]}
 * The first line written is {"ready":true,...} or {"fatal":"E_JAVA_CLASS"|"E_JAVA_RUNTIME",...}.
 * Only the tokenization is the app's: the vocabulary lookup and the pair encoding follow the reference
 * (google-research/bert load_vocab, convert_tokens_to_ids, run_classifier.py convert_single_example).
 * Output is pure ASCII (every other UTF-16 unit as a \\u escape), so lone surrogates survive the pipe.
 */
public final class Harness {
  private static final int TRACE_LINES = 8;

  private final Object tokenizer;
  private final Method tokenize;
  private final Map<String, Integer> vocab;

  private Harness(Object tokenizer, Method tokenize, Map<String, Integer> vocab) {
    this.tokenizer = tokenizer;
    this.tokenize = tokenize;
    this.vocab = vocab;
  }

  public static void main(String[] args) throws IOException {
    // The protocol owns the real stdout; anything the app prints goes to stderr instead.
    BufferedWriter out = new BufferedWriter(
        new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.US_ASCII));
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
    if (args.length != 3) {
      fatal(out, "E_JAVA_CLASS", "usage: Harness <class> <vocab.txt> <doLowerCase>", null);
      return;
    }
    Map<String, Integer> vocab;
    try {
      vocab = loadVocab(args[1]);
    } catch (IOException e) {
      fatal(out, "E_JAVA_RUNTIME", "cannot read vocabulary " + args[1] + ": " + e, null);
      return;
    }
    Harness h = create(out, args[0], args[1], vocab, Boolean.parseBoolean(args[2]));
    if (h == null) return;
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isEmpty()) continue;
      Map<String, Object> req = Json.parseObject(line);
      out.write(h.answer(req));
      out.write('\n');
      out.flush();
    }
    out.flush();
  }

  /** Loads the class and finds a supported constructor and tokenize(String); null after reporting a fatal error. */
  private static Harness create(
      BufferedWriter out, String className, String vocabPath, Map<String, Integer> vocab, boolean lower)
      throws IOException {
    Class<?> cls;
    try {
      cls = Class.forName(className, false, Harness.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      fatal(out, "E_JAVA_CLASS", "class " + className + " not found among the compiled sources or the classpath", null);
      return null;
    } catch (LinkageError e) {
      fatal(out, "E_JAVA_CLASS", "class " + className + " cannot be loaded: " + e, trace(e));
      return null;
    }
    Method tokenize = findTokenize(cls);
    if (tokenize == null) {
      fatal(out, "E_JAVA_CLASS", "class " + className
          + " has no method tokenize(String) returning a java.util.List<String> of WordPiece tokens", null);
      return null;
    }
    // Tried in this order; the first shape the class declares is used.
    Object[][] shapes = {
        {"(String vocabPath, boolean doLowerCase)", new Class<?>[] {String.class, boolean.class}},
        {"(Map<String,Integer> vocab, boolean doLowerCase)", new Class<?>[] {Map.class, boolean.class}},
        {"(String vocabPath)", new Class<?>[] {String.class}},
        {"(Map<String,Integer> vocab)", new Class<?>[] {Map.class}},
    };
    for (Object[] shape : shapes) {
      Class<?>[] want = (Class<?>[]) shape[1];
      Constructor<?> ctor = findConstructor(cls, want);
      if (ctor == null) continue;
      Object[] argv = new Object[want.length];
      argv[0] = want[0] == String.class ? vocabPath : new LinkedHashMap<>(vocab);
      if (want.length == 2) argv[1] = lower;
      Object instance;
      try {
        ctor.setAccessible(true);
        instance = ctor.newInstance(argv);
      } catch (InvocationTargetException e) {
        Throwable t = e.getCause();
        fatal(out, "E_JAVA_RUNTIME", "constructor " + className + shape[0] + " threw " + t, trace(t));
        return null;
      } catch (ReflectiveOperationException | RuntimeException e) {
        fatal(out, "E_JAVA_CLASS", "cannot call constructor " + className + shape[0] + ": " + e, null);
        return null;
      }
      out.write("{\"ready\":true,\"constructor\":" + Json.str(className + shape[0]) + ",\"vocab_size\":"
          + vocab.size() + "}\n");
      out.flush();
      return new Harness(instance, tokenize, vocab);
    }
    fatal(out, "E_JAVA_CLASS", "class " + className + " has none of the supported constructors "
        + "(String vocabPath, boolean doLowerCase), (Map<String,Integer> vocab, boolean doLowerCase), "
        + "(String vocabPath), (Map<String,Integer> vocab)", null);
    return null;
  }

  private static Constructor<?> findConstructor(Class<?> cls, Class<?>[] want) {
    for (Constructor<?> c : cls.getDeclaredConstructors()) {
      Class<?>[] p = c.getParameterTypes();
      if (p.length != want.length) continue;
      boolean ok = true;
      for (int i = 0; i < p.length && ok; i++) {
        // A Map parameter accepts any map type a LinkedHashMap can be passed as (Map, HashMap, ...).
        ok = want[i] == Map.class ? p[i].isAssignableFrom(LinkedHashMap.class) : p[i] == want[i];
      }
      if (ok) return c;
    }
    return null;
  }

  private static Method findTokenize(Class<?> cls) {
    for (Class<?> c = cls; c != null; c = c.getSuperclass()) {
      try {
        Method m = c.getDeclaredMethod("tokenize", String.class);
        if (!List.class.isAssignableFrom(m.getReturnType())) return null;
        m.setAccessible(true);
        return m;
      } catch (NoSuchMethodException e) {
        // look in the superclass
      }
    }
    return null;
  }

  private String answer(Map<String, Object> req) {
    String id = String.valueOf(req.get("id"));
    try {
      if ("encode".equals(req.get("op"))) {
        return encode(id, (String) req.get("a"), (String) req.get("b"), ((Number) req.get("max")).intValue());
      }
      List<String> tokens = tokenize((String) req.get("text"));
      return "{\"id\":" + Json.str(id) + ",\"tokens\":" + Json.strs(tokens) + ",\"ids\":" + Json.ints(ids(tokens)) + "}";
    } catch (AppException e) {
      Throwable t = e.getCause();
      return "{\"id\":" + Json.str(id) + ",\"error\":" + Json.str(String.valueOf(t)) + ",\"trace\":"
          + Json.strs(trace(t)) + "}";
    }
  }

  /** What the app's tokenizer threw, kept apart from the harness's own failures. */
  private static final class AppException extends Exception {
    AppException(Throwable cause) {
      super(cause);
    }
  }

  private List<String> tokenize(String text) throws AppException {
    Object result;
    try {
      result = tokenize.invoke(tokenizer, text);
    } catch (InvocationTargetException e) {
      throw new AppException(e.getCause());
    } catch (IllegalAccessException e) {
      throw new AppException(e);
    }
    if (result == null) throw new AppException(new NullPointerException("tokenize returned null"));
    List<String> tokens = new ArrayList<>();
    for (Object o : (List<?>) result) {
      if (!(o instanceof String)) {
        throw new AppException(new ClassCastException("tokenize returned a list element that is not a String: " + o));
      }
      tokens.add((String) o);
    }
    return tokens;
  }

  /** convert_tokens_to_ids; a token the vocabulary lacks gets -1 (the reference would raise KeyError). */
  private int[] ids(List<String> tokens) {
    int[] out = new int[tokens.size()];
    for (int i = 0; i < out.length; i++) {
      Integer id = vocab.get(tokens.get(i));
      out[i] = id == null ? -1 : id;
    }
    return out;
  }

  /** convert_single_example: [CLS] a [SEP] (b [SEP]), popping from the longer side (b on ties), zero padding. */
  private String encode(String id, String a, String b, int max) throws AppException {
    List<String> ta = tokenize(a);
    List<String> tb = b != null && !b.isEmpty() ? tokenize(b) : new ArrayList<>();
    if (!tb.isEmpty()) {
      if (max < 3) throw new AppException(new IllegalArgumentException("max_seq_length " + max + " < 3"));
      while (ta.size() + tb.size() > max - 3) {
        if (ta.size() > tb.size()) ta.remove(ta.size() - 1);
        else tb.remove(tb.size() - 1);
      }
    } else if (ta.size() > max - 2) {
      if (max < 2) throw new AppException(new IllegalArgumentException("max_seq_length " + max + " < 2"));
      ta = new ArrayList<>(ta.subList(0, max - 2));
    }
    List<String> tokens = new ArrayList<>();
    List<Integer> segments = new ArrayList<>();
    tokens.add("[CLS]");
    segments.add(0);
    for (String t : ta) {
      tokens.add(t);
      segments.add(0);
    }
    tokens.add("[SEP]");
    segments.add(0);
    if (!tb.isEmpty()) {
      for (String t : tb) {
        tokens.add(t);
        segments.add(1);
      }
      tokens.add("[SEP]");
      segments.add(1);
    }
    int[] tokenIds = ids(tokens);
    int n = Math.max(max, tokens.size());
    int[] inputIds = new int[n];
    int[] mask = new int[n];
    int[] seg = new int[n];
    for (int i = 0; i < tokens.size(); i++) {
      inputIds[i] = tokenIds[i];
      mask[i] = 1;
      seg[i] = segments.get(i);
    }
    return "{\"id\":" + Json.str(id) + ",\"tokens\":" + Json.strs(tokens) + ",\"input_ids\":" + Json.ints(inputIds)
        + ",\"input_mask\":" + Json.ints(mask) + ",\"segment_ids\":" + Json.ints(seg) + "}";
  }

  private static List<String> trace(Throwable t) {
    List<String> lines = new ArrayList<>();
    if (t == null) return lines;
    StackTraceElement[] st = t.getStackTrace();
    for (int i = 0; i < st.length && i < TRACE_LINES; i++) lines.add("at " + st[i]);
    if (st.length > TRACE_LINES) lines.add("... " + (st.length - TRACE_LINES) + " more");
    return lines;
  }

  private static void fatal(BufferedWriter out, String code, String message, List<String> trace) throws IOException {
    out.write("{\"fatal\":" + Json.str(code) + ",\"message\":" + Json.str(message) + ",\"trace\":"
        + Json.strs(trace == null ? new ArrayList<>() : trace) + "}\n");
    out.flush();
  }

  /**
   * google-research/bert load_vocab: text-mode lines (\n, \r\n and \r end a line), each stripped of Python
   * whitespace, the n-th line gets id n, a later duplicate wins. The file is read as UTF-8 as Python would.
   */
  static Map<String, Integer> loadVocab(String path) throws IOException {
    String text = new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.UTF_8);
    Map<String, Integer> vocab = new LinkedHashMap<>();
    int index = 0;
    int start = 0;
    int n = text.length();
    while (start < n) {
      int end = start;
      while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') end++;
      vocab.put(pyStrip(text.substring(start, end)), index++);
      if (end < n && text.charAt(end) == '\r' && end + 1 < n && text.charAt(end + 1) == '\n') end++;
      start = end + 1;
    }
    return vocab;
  }

  /** Python's str.isspace for one BMP character (Unicode 14; no whitespace lies outside the BMP). */
  static boolean pySpace(char c) {
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
  }

  static String pyStrip(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && pySpace(s.charAt(a))) a++;
    while (b > a && pySpace(s.charAt(b - 1))) b--;
    return s.substring(a, b);
  }

  /** Just enough JSON for the protocol: objects, arrays, strings, numbers, true/false/null. */
  static final class Json {
    private final String s;
    private int i;

    private Json(String s) {
      this.s = s;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(String line) {
      Json p = new Json(line);
      Object v = p.value();
      p.space();
      if (!(v instanceof Map) || p.i != line.length()) throw new IllegalArgumentException("bad request: " + line);
      return (Map<String, Object>) v;
    }

    private void space() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\r')) i++;
    }

    private Object value() {
      space();
      char c = s.charAt(i);
      if (c == '{') {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        space();
        if (s.charAt(i) == '}') {
          i++;
          return m;
        }
        while (true) {
          space();
          String k = string();
          space();
          expect(':');
          m.put(k, value());
          space();
          if (s.charAt(i) == ',') {
            i++;
            continue;
          }
          expect('}');
          return m;
        }
      }
      if (c == '[') {
        List<Object> l = new ArrayList<>();
        i++;
        space();
        if (s.charAt(i) == ']') {
          i++;
          return l;
        }
        while (true) {
          l.add(value());
          space();
          if (s.charAt(i) == ',') {
            i++;
            continue;
          }
          expect(']');
          return l;
        }
      }
      if (c == '"') return string();
      if (s.startsWith("null", i)) {
        i += 4;
        return null;
      }
      if (s.startsWith("true", i)) {
        i += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("false", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
      if (start == i) throw new IllegalArgumentException("bad JSON at " + i + ": " + s);
      return Double.parseDouble(s.substring(start, i));
    }

    private void expect(char c) {
      if (s.charAt(i) != c) throw new IllegalArgumentException("expected '" + c + "' at " + i + ": " + s);
      i++;
    }

    /** \\u escapes are taken one UTF-16 unit at a time, so lone surrogates arrive as they were sent. */
    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') return b.toString();
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case 'n': b.append('\n'); break;
          case 't': b.append('\t'); break;
          case 'r': b.append('\r'); break;
          case 'b': b.append('\b'); break;
          case 'f': b.append('\f'); break;
          case 'u':
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
            break;
          default: b.append(e);
        }
      }
    }

    static String str(String v) {
      StringBuilder b = new StringBuilder(v.length() + 2).append('"');
      for (int k = 0; k < v.length(); k++) {
        char c = v.charAt(k);
        if (c == '"' || c == '\\') b.append('\\').append(c);
        else if (c >= 0x20 && c < 0x7f) b.append(c);
        else b.append(String.format("\\u%04x", (int) c));
      }
      return b.append('"').toString();
    }

    static String strs(List<String> v) {
      StringBuilder b = new StringBuilder("[");
      for (int k = 0; k < v.size(); k++) b.append(k == 0 ? "" : ",").append(str(v.get(k)));
      return b.append(']').toString();
    }

    static String ints(int[] v) {
      StringBuilder b = new StringBuilder("[");
      for (int k = 0; k < v.length; k++) b.append(k == 0 ? "" : ",").append(v[k]);
      return b.append(']').toString();
    }
  }
}
