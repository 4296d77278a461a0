package testtok;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Returns the text as one token and each of its UTF-16 units after it: shows what crossed the pipe. */
public class Echo {
  public Echo(Map<String, Integer> vocab) {
    System.out.println("noise an app prints must not break the protocol");
  }

  public List<String> tokenize(String text) {
    List<String> out = new ArrayList<>();
    out.add(text);
    for (int i = 0; i < text.length(); i++) out.add(Integer.toHexString(text.charAt(i)));
    return out;
  }
}
