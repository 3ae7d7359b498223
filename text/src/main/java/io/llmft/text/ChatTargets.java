package io.llmft.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a model learns from a conversation: its ids as the chat template renders it (no generation
 * prompt) and, per id, whether it is a target.
 *
 * <p>By default only assistant output is learned: for the assistant turn {@code i}, {@code P} is
 * the conversation before it rendered with the generation prompt, which the full rendering must
 * start with; the turn's targets run from the first id where the full ids and {@code P}'s ids
 * differ through the template's end-of-turn token that follows {@code P} in the text. Every
 * assistant turn of a row is learned in one pass; everything else (system, user and tool turns,
 * role headers, what the template writes after the end-of-turn token) is not. {@link TrainOn#ALL}
 * learns every id. tools/golden/chat_training.py computes the same in Python.
 */
public final class ChatTargets {
  /** Which ids of a conversation are targets. */
  public enum TrainOn {
    ASSISTANT,
    ALL;

    public static TrainOn of(String id) {
      if (id == null || id.equals("assistant")) {
        return ASSISTANT;
      }
      if (id.equals("all")) {
        return ALL;
      }
      throw new IllegalArgumentException("must be assistant (the default) or all");
    }
  }

  /** A rendered conversation: its ids and which of them are targets. */
  public record Item(int[] ids, boolean[] targets) {
    /** How many ids are targets. */
    public int targetCount() {
      int n = 0;
      for (boolean t : targets) {
        n += t ? 1 : 0;
      }
      return n;
    }

    /** The first {@code length} ids and their targets. */
    public Item cutTo(int length) {
      return new Item(Arrays.copyOf(ids, length), Arrays.copyOf(targets, length));
    }
  }

  /** A conversation the template cannot render or whose turns cannot be told apart. */
  public static final class Unusable extends IllegalArgumentException {
    public Unusable(String reason) {
      super(reason);
    }
  }

  private final ChatTemplate template;
  private final Tokenizer tokenizer;
  private final Map<String, Object> kwargs;
  private final TrainOn trainOn;
  private final String endOfTurn;

  /**
   * @throws Unusable when the template names no end-of-turn token (its tokenizer's eos_token)
   */
  public ChatTargets(
      ChatTemplate template, Tokenizer tokenizer, Map<String, Object> kwargs, TrainOn trainOn) {
    this.template = template;
    this.tokenizer = tokenizer;
    this.kwargs = Map.copyOf(kwargs);
    this.trainOn = trainOn;
    this.endOfTurn =
        template
            .endOfTurn()
            .orElseThrow(
                () ->
                    new Unusable(
                        "the chat template's tokenizer names no eos_token (the end of a turn)"));
  }

  /**
   * The ids and targets of a conversation.
   *
   * @param messages the messages as the template sees them (maps with role and content)
   * @param tools the tools' schemas, or null
   */
  public Item of(List<Map<String, Object>> messages, List<?> tools) {
    String full = render(messages, tools, false);
    int[] ids = tokenizer.encodeRendered(full);
    boolean[] targets = new boolean[ids.length];
    if (trainOn == TrainOn.ALL) {
      java.util.Arrays.fill(targets, true);
      return new Item(ids, targets);
    }
    for (int i = 0; i < messages.size(); i++) {
      if (!"assistant".equals(messages.get(i).get("role"))) {
        continue;
      }
      if (i == 0) {
        throw new Unusable("messages[0]: a conversation cannot start with the assistant's turn");
      }
      String prefix = render(new ArrayList<>(messages.subList(0, i)), tools, true);
      if (!full.startsWith(prefix)) {
        throw new Unusable(
            "messages["
                + i
                + "]: the chat template renders the conversation before this turn differently"
                + " when it ends there, so the turn's tokens cannot be told apart");
      }
      int eot = full.indexOf(endOfTurn, prefix.length());
      if (eot < 0) {
        throw new Unusable(
            "messages[" + i + "]: the template writes no " + endOfTurn + " after this turn");
      }
      int start = commonPrefix(ids, tokenizer.encodeRendered(prefix));
      int end = tokenizer.encodeRendered(full.substring(0, eot + endOfTurn.length())).length;
      for (int k = start; k < Math.min(end, ids.length); k++) {
        targets[k] = true;
      }
    }
    return new Item(ids, targets);
  }

  /** A conversation's prompt and the same followed by one answer, through its end-of-turn token. */
  public record Answered(int[] prompt, int[] sequence) {}

  /**
   * For preference tuning: the ids of {@code messages} rendered with the generation prompt, and of
   * the conversation with {@code answer} appended, cut after the end-of-turn token that follows the
   * prompt; the second must start with the first.
   */
  public Answered answered(
      List<Map<String, Object>> messages, List<?> tools, Map<String, Object> answer) {
    String prompt = render(messages, tools, true);
    List<Map<String, Object>> withAnswer = new ArrayList<>(messages);
    withAnswer.add(answer);
    String full = render(withAnswer, tools, false);
    if (!full.startsWith(prompt)) {
      throw new Unusable(
          "the chat template renders the conversation differently once it is answered");
    }
    int eot = full.indexOf(endOfTurn, prompt.length());
    if (eot < 0) {
      throw new Unusable("the template writes no " + endOfTurn + " after the answer");
    }
    int[] promptIds = tokenizer.encodeRendered(prompt);
    int[] sequence = tokenizer.encodeRendered(full.substring(0, eot + endOfTurn.length()));
    if (commonPrefix(sequence, promptIds) != promptIds.length) {
      throw new Unusable("the answer's first token merges with the end of the prompt");
    }
    return new Answered(promptIds, sequence);
  }

  private String render(List<Map<String, Object>> messages, List<?> tools, boolean generation) {
    try {
      return template.render(messages, tools, generation, kwargs);
    } catch (io.llmft.text.jinja.TemplateException e) {
      throw new Unusable("the chat template cannot render the conversation: " + e.getMessage());
    }
  }

  private static int commonPrefix(int[] a, int[] b) {
    int n = 0;
    while (n < a.length && n < b.length && a[n] == b[n]) {
      n++;
    }
    return n;
  }
}
