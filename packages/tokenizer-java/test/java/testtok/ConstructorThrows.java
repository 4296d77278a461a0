package testtok;

import java.util.List;

/** Its constructor fails, as a tokenizer that cannot find an asset would. */
public class ConstructorThrows {
  public ConstructorThrows(String vocabPath, boolean doLowerCase) {
    throw new IllegalArgumentException("asset not found: " + vocabPath);
  }

  public List<String> tokenize(String text) {
    return List.of(text);
  }
}
