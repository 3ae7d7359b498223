package io.llmft.dataset.duplicates;

import java.util.Arrays;
import java.util.List;

/**
 * scikit-learn's {@code TfidfVectorizer} defaults fitted on a list of preprocessed texts: raw
 * counts times the smooth idf {@code ln((1 + n) / (1 + df)) + 1}, each row scaled to unit length.
 * Only the vocabulary and the document frequencies are kept; a text's vector is computed when it is
 * needed, so that memory grows with the vocabulary, not with the texts' total length.
 */
final class TfidfVectors {
  private final List<String> texts;
  private final LongIntMap vocabulary = new LongIntMap();
  private final int[] documentFrequency;
  private final double[] idf;

  /** A text's unit vector: its n-grams ascending, their feature ids and weights. */
  record Vector(long[] ngrams, int[] features, double[] weights) {
    int size() {
      return ngrams.length;
    }

    /** The cosine similarity of two unit vectors, summed in n-gram order. */
    double dot(Vector other) {
      double sum = 0;
      int i = 0;
      int j = 0;
      while (i < ngrams.length && j < other.ngrams.length) {
        long a = ngrams[i];
        long b = other.ngrams[j];
        if (a == b) {
          sum += weights[i++] * other.weights[j++];
        } else if (a < b) {
          i++;
        } else {
          j++;
        }
      }
      return sum;
    }
  }

  TfidfVectors(List<String> texts) {
    this.texts = texts;
    int[] df = new int[1 << 12];
    for (String text : texts) {
      for (long gram : distinct(CharNgrams.ngrams(text))) {
        int id = vocabulary.idOf(gram);
        if (id == df.length) {
          df = Arrays.copyOf(df, df.length * 2);
        }
        df[id]++;
      }
    }
    documentFrequency = Arrays.copyOf(df, vocabulary.size());
    idf = new double[vocabulary.size()];
    double n = texts.size();
    for (int f = 0; f < idf.length; f++) {
      idf[f] = Math.log((1 + n) / (1 + documentFrequency[f])) + 1;
    }
  }

  int documentFrequency(int feature) {
    return documentFrequency[feature];
  }

  int features() {
    return idf.length;
  }

  Vector vector(int doc) {
    long[] grams = CharNgrams.ngrams(texts.get(doc));
    long[] unique = distinct(grams);
    int[] features = new int[unique.length];
    double[] weights = new double[unique.length];
    double squares = 0;
    for (int i = 0, g = 0; i < unique.length; i++) {
      int count = 0;
      while (g < grams.length && grams[g] == unique[i]) {
        count++;
        g++;
      }
      features[i] = vocabulary.get(unique[i]);
      weights[i] = count * idf[features[i]];
      squares += weights[i] * weights[i];
    }
    double norm = Math.sqrt(squares);
    for (int i = 0; i < weights.length; i++) {
      weights[i] /= norm;
    }
    return new Vector(unique, features, weights);
  }

  private static long[] distinct(long[] sorted) {
    int k = 0;
    long[] out = new long[sorted.length];
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        out[k++] = sorted[i];
      }
    }
    return k == out.length ? out : Arrays.copyOf(out, k);
  }
}
