package testtok;

import java.io.IOException;

/**
 * Defect: walks the text one UTF-16 char at a time, so each half of a surrogate pair is a "character" of
 * its own (category SURROGATE): supplementary ideographs, punctuation, controls and marks lose their class
 * and a word's length counts chars.
 */
public class CharIteratingTokenizer extends FaithfulTokenizer {
  public CharIteratingTokenizer(String vocabPath, boolean doLowerCase) throws IOException {
    super(vocabPath, doLowerCase);
  }

  @Override
  protected int[] codePoints(String s) {
    return s.chars().toArray();
  }
}
