package testtok;

import java.util.List;

/** Has tokenize(String) but only a constructor shape the harness does not support. */
public class NoSupportedConstructor {
  public NoSupportedConstructor(int maxLength) {}

  public List<String> tokenize(String text) {
    return List.of(text);
  }
}
