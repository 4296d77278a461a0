package testtok;

import java.io.IOException;
import java.util.List;

/** Throws on any text containing the euro sign, like a port that hits an unexpected character. */
public class ThrowingTokenizer extends FaithfulTokenizer {
  public ThrowingTokenizer(String vocabPath, boolean doLowerCase) throws IOException {
    super(vocabPath, doLowerCase);
  }

  @Override
  public List<String> tokenize(String text) {
    if (text.indexOf('\u20ac') >= 0) throw new IllegalStateException("no rule for the euro sign");
    return super.tokenize(text);
  }
}
