package testtok;

import java.io.IOException;

/** Defect: control and format characters (Cc, Cf) are kept instead of removed. */
public class ControlsKeptTokenizer extends FaithfulTokenizer {
  public ControlsKeptTokenizer(String vocabPath, boolean doLowerCase) throws IOException {
    super(vocabPath, doLowerCase);
  }

  @Override
  protected boolean isControl(int cp) {
    return false;
  }
}
