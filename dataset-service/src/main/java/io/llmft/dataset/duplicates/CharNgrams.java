package io.llmft.dataset.duplicates;

import java.util.Arrays;
import java.util.Locale;

/**
 * The book's text preprocessing and scikit-learn's character analyzer, as Python computes them on
 * code points: {@code re.sub(r"[^\w\s]", "", text.lower())}, then {@code
 * TfidfVectorizer(analyzer="char", ngram_range=(1, 3))}, which lowercases again, turns every run of
 * two or more whitespace characters into one space and takes every 1-, 2- and 3-gram.
 *
 * <p>An n-gram is a {@code long}: its code points, 21 bits each, first one highest. Code points
 * left after preprocessing are never 0, so the three lengths never share a value.
 */
final class CharNgrams {
  private static final int BITS = 21;

  private CharNgrams() {}

  /** The book's {@code preprocess_text}. */
  static String preprocess(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    StringBuilder kept = new StringBuilder(lower.length());
    lower.codePoints().filter(cp -> isWord(cp) || isSpace(cp)).forEach(kept::appendCodePoint);
    return kept.toString();
  }

  /** The analyzer's n-grams of a preprocessed text, sorted, each as often as it occurs. */
  static long[] ngrams(String preprocessed) {
    int[] cps = collapseWhitespace(preprocessed.toLowerCase(Locale.ROOT).codePoints().toArray());
    int n = cps.length;
    long[] grams = new long[n <= 1 ? n : 3 * n - 3];
    int k = 0;
    for (int i = 0; i < n; i++) {
      grams[k++] = cps[i];
      if (i + 1 < n) {
        grams[k++] = ((long) cps[i] << BITS) | cps[i + 1];
      }
      if (i + 2 < n) {
        grams[k++] = ((long) cps[i] << (2 * BITS)) | ((long) cps[i + 1] << BITS) | cps[i + 2];
      }
    }
    long[] all = k == grams.length ? grams : Arrays.copyOf(grams, k);
    Arrays.sort(all);
    return all;
  }

  /** {@code re.sub(r"\s\s+", " ", text)}. */
  private static int[] collapseWhitespace(int[] cps) {
    int[] out = new int[cps.length];
    int k = 0;
    for (int i = 0; i < cps.length; ) {
      if (isSpace(cps[i]) && i + 1 < cps.length && isSpace(cps[i + 1])) {
        out[k++] = ' ';
        while (i < cps.length && isSpace(cps[i])) {
          i++;
        }
      } else {
        out[k++] = cps[i++];
      }
    }
    return k == out.length ? out : Arrays.copyOf(out, k);
  }

  /** Python's {@code \w} on str: letters, numbers of every kind, and the underscore. */
  static boolean isWord(int cp) {
    if (cp == '_' || Character.isLetter(cp)) {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.DECIMAL_DIGIT_NUMBER
        || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
  }

  /** Python's {@code \s} on str ({@code str.isspace}), which also counts no-break spaces. */
  static boolean isSpace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
  }
}
