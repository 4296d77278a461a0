package testtok;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A test tokenizer written for bert-parity's tests: the reference BERT rules (google-research/bert
 * tokenization.py) in plain Java 17. Clean text, CJK ideographs as words of their own, whitespace split,
 * lowercase + NFD + drop Mn, punctuation split, greedy longest-match WordPiece. Each rule sits in a
 * protected method so the defective test tokenizers can change exactly one of them.
 */
public class FaithfulTokenizer {
  private final Map<String, Integer> vocab;
  private final boolean doLowerCase;

  public FaithfulTokenizer(String vocabPath, boolean doLowerCase) throws IOException {
    this(readVocab(vocabPath), doLowerCase);
  }

  public FaithfulTokenizer(Map<String, Integer> vocab, boolean doLowerCase) {
    this.vocab = vocab;
    this.doLowerCase = doLowerCase;
  }

  /** One token per line, stripped of whitespace; the line number is the id. */
  static Map<String, Integer> readVocab(String path) throws IOException {
    Map<String, Integer> vocab = new HashMap<>();
    String[] lines = new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.UTF_8).split("\r\n|\r|\n", -1);
    int n = lines.length;
    if (n > 0 && lines[n - 1].isEmpty()) n--;
    for (int i = 0; i < n; i++) vocab.put(strip(lines[i]), i);
    return vocab;
  }

  private static String strip(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && isSplitSpace(s.charAt(a))) a++;
    while (b > a && isSplitSpace(s.charAt(b - 1))) b--;
    return s.substring(a, b);
  }

  // ---- the rules, one hook each ----

  /** The text as a sequence of characters (code points). */
  protected int[] codePoints(String s) {
    return s.codePoints().toArray();
  }

  protected boolean isChineseChar(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }

  /** Cc and Cf, except tab, newline and carriage return, which count as whitespace. */
  protected boolean isControl(int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') return false;
    int t = Character.getType(cp);
    return t == Character.CONTROL || t == Character.FORMAT;
  }

  protected boolean isPunctuation(int cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
      return true;
    }
    switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
        return true;
      default:
        return false;
    }
  }

  protected String stripAccents(String word) {
    String nfd = Normalizer.normalize(word, Normalizer.Form.NFD);
    StringBuilder b = new StringBuilder(nfd.length());
    for (int cp : codePoints(nfd)) if (Character.getType(cp) != Character.NON_SPACING_MARK) b.appendCodePoint(cp);
    return b.toString();
  }

  protected int maxInputCharsPerWord() {
    return 200;
  }

  // ---- the pipeline ----

  /** Space as a cleaned-text separator: space, tab, newline, carriage return, Zs. */
  private static boolean isWhitespace(int cp) {
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR;
  }

  /** What Python's str.split() splits on. */
  private static boolean isSplitSpace(int cp) {
    return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f) || cp == 0x85
        || Character.getType(cp) == Character.SPACE_SEPARATOR || cp == 0x2028 || cp == 0x2029;
  }

  private List<String> splitOnSpace(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    for (int cp : codePoints(text)) {
      if (isSplitSpace(cp)) {
        if (word.length() > 0) out.add(word.toString());
        word.setLength(0);
      } else {
        word.appendCodePoint(cp);
      }
    }
    if (word.length() > 0) out.add(word.toString());
    return out;
  }

  public List<String> basicTokenize(String text) {
    StringBuilder clean = new StringBuilder();
    for (int cp : codePoints(text)) {
      if (cp == 0 || cp == 0xFFFD || isControl(cp)) continue;
      if (isWhitespace(cp)) clean.append(' ');
      else if (isChineseChar(cp)) clean.append(' ').appendCodePoint(cp).append(' ');
      else clean.appendCodePoint(cp);
    }
    List<String> out = new ArrayList<>();
    for (String word : splitOnSpace(clean.toString())) {
      if (doLowerCase) word = stripAccents(word.toLowerCase(Locale.ROOT));
      StringBuilder piece = new StringBuilder();
      for (int cp : codePoints(word)) {
        if (isPunctuation(cp)) {
          if (piece.length() > 0) out.add(piece.toString());
          piece.setLength(0);
          out.add(new String(Character.toChars(cp)));
        } else {
          piece.appendCodePoint(cp);
        }
      }
      if (piece.length() > 0) out.add(piece.toString());
    }
    return out;
  }

  public List<String> tokenize(String text) {
    List<String> out = new ArrayList<>();
    for (String word : basicTokenize(text)) {
      int[] cps = codePoints(word);
      if (cps.length > maxInputCharsPerWord()) {
        out.add("[UNK]");
        continue;
      }
      List<String> pieces = new ArrayList<>();
      int start = 0;
      while (start < cps.length) {
        String found = null;
        int end = cps.length;
        for (; end > start; end--) {
          String sub = new String(cps, start, end - start);
          if (start > 0) sub = "##" + sub;
          if (vocab.containsKey(sub)) {
            found = sub;
            break;
          }
        }
        if (found == null) {
          pieces = List.of("[UNK]");
          break;
        }
        pieces.add(found);
        start = end;
      }
      out.addAll(pieces);
    }
    return out;
  }
}
