package testtok;

import java.util.Map;

/** Defect: the ASCII symbols $ + < = > ^ | ~ count as letters, not punctuation. (Map) constructor. */
public class SymbolsAsLettersTokenizer extends FaithfulTokenizer {
  public SymbolsAsLettersTokenizer(Map<String, Integer> vocab) {
    super(vocab, true);
  }

  @Override
  protected boolean isPunctuation(int cp) {
    return "$+<=>^|~".indexOf(cp) < 0 && super.isPunctuation(cp);
  }
}
