package testtok;

import java.util.Map;

/** Defect: CJK ideographs are not split into words of their own. Map constructor. */
public class NoCjkSplitTokenizer extends FaithfulTokenizer {
  public NoCjkSplitTokenizer(Map<String, Integer> vocab, boolean doLowerCase) {
    super(vocab, doLowerCase);
  }

  @Override
  protected boolean isChineseChar(int cp) {
    return false;
  }
}
