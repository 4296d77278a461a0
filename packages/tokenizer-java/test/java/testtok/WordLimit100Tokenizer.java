package testtok;

import java.io.IOException;

/** Defect: words over 100 characters become [UNK] (the reference allows 200). */
public class WordLimit100Tokenizer extends FaithfulTokenizer {
  public WordLimit100Tokenizer(String vocabPath, boolean doLowerCase) throws IOException {
    super(vocabPath, doLowerCase);
  }

  @Override
  protected int maxInputCharsPerWord() {
    return 100;
  }
}
