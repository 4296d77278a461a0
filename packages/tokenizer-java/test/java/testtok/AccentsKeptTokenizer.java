package testtok;

import java.io.IOException;

/** Defect: lowercases but never strips accents. (String vocabPath) constructor, always lowercasing. */
public class AccentsKeptTokenizer extends FaithfulTokenizer {
  public AccentsKeptTokenizer(String vocabPath) throws IOException {
    super(vocabPath, true);
  }

  @Override
  protected String stripAccents(String word) {
    return word;
  }
}
